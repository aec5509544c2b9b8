package io.resplit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.Resplit;
import io.resplit.config.ConfigParser;
import io.resplit.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md's table of meters names exactly the metrics the proxy exports, both ways. What is exported is
 * the Prometheus scrape of {@link EveryMeter}'s registry, which also holds the meters a proxy registers only on
 * its first request; a proxy started in this JVM checks that EveryMeter lacks none of the proxy's own others.
 */
class MetricsDocTest {
    private static final Pattern FAMILY = Pattern.compile("(?m)^# TYPE (\\w+) ");
    private static final Pattern DOCUMENTED = Pattern.compile("`([a-z_]+)(\\*?)`");

    @Test
    void theMetersTableNamesExactlyTheExportedMetrics() throws Exception {
        Set<String> exported = families(EveryMeter.registered().scrape());
        assertTrue(exported.size() > 20, "the registry was exercised: " + exported);
        Set<String> names = new TreeSet<>();
        Set<String> prefixes = new TreeSet<>(); // `jvm_*`: Micrometer's binders, documented by prefix
        for (String firstCell : metersTableFirstCells()) {
            Matcher m = DOCUMENTED.matcher(firstCell);
            while (m.find()) {
                (m.group(2).isEmpty() ? names : prefixes).add(m.group(1));
            }
        }
        Set<String> undocumented = new TreeSet<>(exported);
        undocumented.removeIf(n -> names.contains(n) || !n.startsWith("resplit_") && startsWithAny(n, prefixes));
        assertEquals(Set.of(), undocumented, "exported, but not in the table of docs/metrics.md");
        Set<String> notExported = new TreeSet<>(names);
        notExported.removeAll(exported);
        assertEquals(Set.of(), notExported, "in the table of docs/metrics.md, but not exported");
        for (String prefix : prefixes) {
            assertTrue(exported.stream().anyMatch(n -> n.startsWith(prefix)), "nothing exported is named " + prefix + "*");
        }
    }

    @Test
    void aStartedProxyExportsNothingEveryMeterLacks() throws Exception {
        Path dir = Files.createTempDirectory("resplit-metrics-doc");
        // no Redis: the master's port is free, so the proxy starts with its master down, as it may in production
        String[] args = {"--bind", "127.0.0.1", "--port", String.valueOf(FreePorts.next()),
            "--master", "127.0.0.1", String.valueOf(FreePorts.next()), "--replica", "127.0.0.1",
            String.valueOf(FreePorts.next()), "--metrics-bind", "127.0.0.1", "--metrics-port",
            String.valueOf(FreePorts.next()), "--admin-socket", dir.resolve("admin.sock").toString()};
        Set<String> started;
        try (Resplit proxy = new Resplit(ConfigParser.fromArgs(args))) {
            proxy.start();
            started = families(proxy.context().metrics().scrape());
        }
        assertTrue(started.contains("resplit_backend_up"), "the proxy's scrape: " + started);
        started.removeIf(n -> !n.startsWith("resplit_")); // the JVM binders' appear as the JVM runs (a first GC)
        started.removeAll(families(EveryMeter.registered().scrape()));
        assertEquals(Set.of(), started, "a started proxy exports these, EveryMeter does not register them");
    }

    /** The metric families of a Prometheus text exposition. */
    private static Set<String> families(String scrape) {
        Set<String> out = new TreeSet<>();
        Matcher m = FAMILY.matcher(scrape);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The first cell of each row of the table under "## Meters" in docs/metrics.md (surefire runs in proxy/). */
    private static Iterable<String> metersTableFirstCells() throws Exception {
        String doc = Files.readString(Path.of("../docs/metrics.md"));
        int from = doc.indexOf("\n## Meters\n");
        assertTrue(from >= 0, "docs/metrics.md has a Meters section");
        int to = doc.indexOf("\n## ", from + 1);
        return doc.substring(from, to < 0 ? doc.length() : to).lines()
                .filter(l -> l.startsWith("| `")).map(l -> l.split("\\|")[1]).toList();
    }

    private static boolean startsWithAny(String name, Set<String> prefixes) {
        return prefixes.stream().anyMatch(name::startsWith);
    }
}
