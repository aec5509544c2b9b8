package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.FreePorts;
import io.resplit.testing.HeadlessChromium;
import io.resplit.testing.MetricsEndpoint;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import redis.clients.jedis.Jedis;

/**
 * The status page on the metrics port, rendered by a real browser (headless Chromium) against a proxy in front of
 * a real master and two replicas under load: the nodes and figures appear, the figures move between two loads,
 * a FAILOVER made on the admin console appears in the history, and no password is shown. The last load is the
 * screenshot in docs/dashboard.png ({@code -Dstatus.screenshot=../docs/dashboard.png} writes it there;
 * otherwise it goes to target/status-page.png).
 */
class StatusPageIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void theStatusPageShowsTheProxyUnderLoadAndAFailover() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.find();
        int metricsPort = FreePorts.next();
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "metrics-port " + metricsPort);
             Traffic traffic = new Traffic(proxy)) {
            String url = "http://127.0.0.1:" + metricsPort + "/";
            HttpResponse<String> page = MetricsEndpoint.get(metricsPort, "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"),
                    "the page may load nothing from elsewhere: " + page.headers().map());
            assertFalse(Pattern.compile("(?i)<script[^>]+src|<link|@import|url\\(|https?://(?!www\\.w3\\.org/2000/svg)")
                    .matcher(page.body()).find(), "the page is self-contained");
            assertEquals(404, MetricsEndpoint.get(metricsPort, "/no-such-page").statusCode());

            awaitStatus(metricsPort, "two samples with reads on replicas and writes on the master",
                    doc -> history(doc).size() >= 2 && rate(doc, "master") > 0 && rate(doc, "replica") > 0);
            String first = chromium.dumpDom(url);
            RedisServer oldMaster = topology.master();
            for (RedisServer node : List.of(oldMaster, topology.replicas().get(0), topology.replicas().get(1))) {
                assertTrue(first.contains("data-node=\"127.0.0.1:" + node.port() + "\""), "node " + node.port()
                        + " is shown: " + first);
            }
            assertEquals("master", role(first, oldMaster));
            assertTrue(field(first, "tile-requests").matches("[0-9][0-9,.]*"), first);
            assertTrue(cell(first, oldMaster, "offset").matches("[0-9][0-9,]*"), first);
            assertTrue(first.contains("data-route=\"replica\""), first);
            assertTrue(first.contains("data-series=\"master\""), "a chart line for the master route: " + first);

            long firstLoad = loaded(first);
            awaitStatus(metricsPort, "a newer sample", doc -> last(history(doc)) > firstLoad);
            String second = chromium.dumpDom(url);
            assertNotEquals(firstLoad, loaded(second), "the second load shows newer data");
            assertNotEquals(cell(first, oldMaster, "offset"), cell(second, oldMaster, "offset"),
                    "the master's offset moves under write load");

            RedisServer target = topology.replicas().get(0);
            String answer = proxy.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(target.port()),
                    "TIMEOUT", "5000");
            assertTrue(answer.startsWith("OK master=127.0.0.1:" + target.port()), answer);
            awaitStatus(metricsPort, "the failover in the history",
                    doc -> !((List<?>) ((Map<?, ?>) doc.get("failovers")).get("history")).isEmpty());
            String third = chromium.dumpDom(url);
            assertTrue(third.contains("data-from=\"127.0.0.1:" + oldMaster.port() + "\" data-to=\"127.0.0.1:"
                    + target.port() + "\""), "the failover is in the history: " + third);
            assertEquals("master", role(third, target));
            assertEquals("replica", role(third, oldMaster));
            assertEquals("1", field(third, "tile-failovers"));

            String json = MetricsEndpoint.get(metricsPort, "/status.json").body();
            for (String shown : List.of(first, second, third, json)) {
                assertFalse(shown.contains("node-secret") || shown.contains(ProxyUnderTest.PASSWORD),
                        "no password on the page: " + shown);
            }

            // the picture for the docs: a few samples after the failover, so the charts show it
            long failedOverAt = last(history(status(metricsPort)));
            awaitStatus(metricsPort, "samples after the failover", doc -> history(doc).stream()
                    .filter(t -> t > failedOverAt).count() >= 3);
            Path png = Path.of(System.getProperty("status.screenshot", "target/status-page.png"));
            Files.createDirectories(png.toAbsolutePath().getParent());
            chromium.screenshot(url, png, 1400, 820);
            byte[] image = Files.readAllBytes(png);
            assertTrue(image.length > 20_000 && image[1] == 'P' && image[2] == 'N' && image[3] == 'G',
                    "a PNG of the page at " + png + " (" + image.length + " bytes)");
        }
    }

    private static Map<String, Object> status(int port) {
        try {
            return new Yaml().load(MetricsEndpoint.get(port, "/status.json").body()); // JSON is YAML
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitStatus(int port, String what, Predicate<Map<String, Object>> condition) {
        Wait.until(DEADLINE, () -> condition.test(status(port)), what);
    }

    @SuppressWarnings("unchecked")
    private static List<Long> history(Map<String, Object> doc) {
        List<Long> out = new ArrayList<>();
        for (Object t : (List<Object>) ((Map<String, Object>) doc.get("history")).get("time_ms")) {
            out.add(((Number) t).longValue());
        }
        return out;
    }

    private static long last(List<Long> times) {
        return times.isEmpty() ? 0 : times.get(times.size() - 1);
    }

    @SuppressWarnings("unchecked")
    private static double rate(Map<String, Object> doc, String route) {
        for (Map<String, Object> r : (List<Map<String, Object>>) doc.get("routes")) {
            if (route.equals(r.get("route"))) {
                return ((Number) r.get("requests_per_s")).doubleValue();
            }
        }
        return 0;
    }

    /** The time of the data the page rendered (its body's data-loaded attribute). */
    private static long loaded(String dom) {
        Matcher m = Pattern.compile("<body data-loaded=\"(\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the page rendered status.json: " + dom);
        return Long.parseLong(m.group(1));
    }

    private static String role(String dom, RedisServer node) {
        Matcher m = Pattern.compile("<tr data-node=\"127\\.0\\.0\\.1:" + node.port() + "\" data-role=\"(\\w+)\"")
                .matcher(dom);
        assertTrue(m.find(), "a row for " + node.port() + ": " + dom);
        return m.group(1);
    }

    private static String cell(String dom, RedisServer node, String field) {
        Matcher row = Pattern.compile("<tr data-node=\"127\\.0\\.0\\.1:" + node.port() + "\"[^>]*>(.*?)</tr>")
                .matcher(dom);
        assertTrue(row.find(), "a row for " + node.port() + ": " + dom);
        Matcher m = Pattern.compile("<td data-field=\"" + field + "\"[^>]*>([^<]*)</td>").matcher(row.group(1));
        assertTrue(m.find(), field + " of " + node.port() + ": " + row.group(1));
        return m.group(1);
    }

    private static String field(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        assertTrue(m.find(), id + ": " + dom);
        return m.group(1);
    }

    /**
     * Steady traffic until closed: two connections write (one error reply in a hundred), two others only read,
     * so both the master and the replica routes carry requests.
     */
    private static final class Traffic implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService threads = Executors.newFixedThreadPool(4);

        Traffic(ProxyUnderTest proxy) {
            for (int i = 0; i < 4; i++) {
                boolean writes = i < 2;
                String prefix = "sp:" + i + ":";
                threads.submit(() -> {
                    try (Jedis j = proxy.jedis()) {
                        for (long n = 0; running.get(); n++) {
                            try {
                                if (!writes) {
                                    j.get("sp:0:" + (n % 100));
                                } else if (n % 100 == 99) {
                                    j.incr(prefix + (n % 100 - 1)); // a string: an error reply
                                } else {
                                    j.set(prefix + (n % 100), "value " + n);
                                }
                            } catch (redis.clients.jedis.exceptions.JedisDataException expected) {
                                // the error replies are the point
                            }
                        }
                    }
                    return null;
                });
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            threads.shutdown();
            assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS), "the traffic threads stop");
        }
    }
}
