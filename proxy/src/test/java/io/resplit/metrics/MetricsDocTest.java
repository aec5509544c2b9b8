package io.resplit.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/metrics.md names every metric the proxy exports (the JVM binders' are covered by their prefixes). */
class MetricsDocTest {
    @Test
    void everyResplitMetricIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("../docs/metrics.md"));
        Matcher m = Pattern.compile("(?m)^# TYPE (resplit_\\w+) ").matcher(EveryMeter.registered().scrape());
        int seen = 0;
        while (m.find()) {
            seen++;
            assertTrue(doc.contains("`" + m.group(1) + "`"), m.group(1) + " is exported but not in docs/metrics.md");
        }
        assertTrue(seen > 20, "the registry was exercised: " + seen + " metric families");
    }
}
