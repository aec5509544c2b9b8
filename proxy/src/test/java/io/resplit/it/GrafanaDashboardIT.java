package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.FreePorts;
import io.resplit.testing.MetricsEndpoint;
import io.resplit.testing.PromQlNames;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The Grafana dashboard against a real scrape: every metric name its PromQL queries select is a sample name in
 * {@code /metrics} of a running proxy that has served reads, writes and errors and run a failover. Names are
 * compared with their suffixes, as PromQL selects them: a query for {@code x_bucket} needs {@code x_bucket}
 * samples, not just a family called {@code x}.
 */
class GrafanaDashboardIT {
    private static final Path DASHBOARD = Path.of("../docker/grafana/dashboards/resplit.json");

    @Test
    void everyMetricTheDashboardQueriesIsInARealScrape() throws Exception {
        int metricsPort = FreePorts.next();
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "metrics-port " + metricsPort)) {
            try (Jedis writer = proxy.jedis(); Jedis reader = proxy.jedis()) {
                writer.set("gd:k", "v");
                reader.get("gd:other"); // a connection without writes of its own reads from the replica
                try {
                    writer.incr("gd:k"); // an error reply
                } catch (redis.clients.jedis.exceptions.JedisDataException expected) {
                    // counted with outcome="error"
                }
            }
            assertTrue(proxy.admin("FAILOVER").startsWith("OK"), "a failover, for the failover meters");
            Set<String> exported = PromQlNames.sampleNames(MetricsEndpoint.get(metricsPort, "/metrics").body());

            String dashboard = Files.readString(DASHBOARD);
            Map<String, Set<String>> missing = missing(PromQlNames.dashboardQueries(DASHBOARD), exported);
            assertEquals(Map.of(), missing, "dashboard queries select metrics the proxy does not export");

            // the check has teeth: a renamed metric is caught, also one whose family still exists under
            // another suffix
            Path renamed = Files.createTempFile("resplit-dashboard", ".json");
            try {
                Files.writeString(renamed, dashboard.replace("resplit_backend_up", "resplit_backend_alive")
                        .replace("resplit_request_duration_seconds_bucket", "resplit_request_duration_seconds"));
                Set<String> caught = new TreeSet<>();
                missing(PromQlNames.dashboardQueries(renamed), exported).values().forEach(caught::addAll);
                assertEquals(Set.of("resplit_backend_alive", "resplit_request_duration_seconds"), caught);
            } finally {
                Files.deleteIfExists(renamed);
            }
        }
    }

    /** Per query, the names it selects that the scrape lacks; queries selecting nothing are a mistake too. */
    private static Map<String, Set<String>> missing(List<String> queries, Set<String> exported) {
        assertFalse(queries.isEmpty(), "the dashboard has queries");
        Map<String, Set<String>> out = new TreeMap<>();
        for (String q : queries) {
            Set<String> names = PromQlNames.of(q);
            assertFalse(names.isEmpty(), "no metric found in query " + q);
            Set<String> absent = new TreeSet<>(names);
            absent.removeAll(exported);
            if (!absent.isEmpty()) {
                out.put(q, absent);
            }
        }
        return out;
    }
}
