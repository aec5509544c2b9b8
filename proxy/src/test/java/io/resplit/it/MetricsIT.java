package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.FreePorts;
import io.resplit.testing.MetricsEndpoint;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The metrics endpoint: Prometheus text with the proxy's meters, and health/readiness probes. */
class MetricsIT {
    @Test
    void metricsHealthAndReadiness() throws Exception {
        int port = FreePorts.next();
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "metrics-port " + port)) {
            try (Jedis j = proxy.jedis()) {
                j.set("m:k", "v");
                j.get("m:k");
            }
            try (Jedis fresh = proxy.jedis()) {
                for (int i = 0; i < 10; i++) {
                    fresh.get("m:none");
                }
                fresh.sendCommand(redis.clients.jedis.Protocol.Command.PING);
            }
            try (io.resplit.testing.RawClient sub = new io.resplit.testing.RawClient(proxy.port());
                 Jedis publisher = proxy.jedis()) {
                sub.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\n");
                assertEquals("+OK", sub.readLine());
                sub.send("SUBSCRIBE m:ch\r\n");
                sub.skipReply(); // the confirmation
                for (int i = 0; i < 10; i++) {
                    assertEquals(1L, publisher.publish("m:ch", "message " + i));
                    sub.skipReply();
                }
            }
            String text = MetricsEndpoint.get(port, "/metrics").body();
            // pushed messages are not replies to the SUBSCRIBE: it counts once, and nothing is timed on that route
            assertTrue(text.matches("(?s).*resplit_commands_total\\{command=\"subscribe\",outcome=\"ok\",route=\"pubsub\",?} 1\\.0.*"),
                    text);
            assertTrue(text.matches("(?s).*resplit_request_duration_seconds_count\\{route=\"pubsub\",?} 0\\.0.*"), text);
            assertTrue(text.contains("resplit_writes_waiting_master"), text);
            assertTrue(text.contains("resplit_commands_total{command=\"set\",outcome=\"ok\",route=\"master\""),
                    text);
            assertTrue(text.matches("(?s).*resplit_commands_total\\{command=\"get\",outcome=\"ok\",route=\"replica\",?} 10\\.0.*"),
                    text);
            assertTrue(text.contains("resplit_commands_total{command=\"ping\",outcome=\"ok\",route=\"local\""), text);
            assertTrue(text.contains("resplit_request_duration_seconds_bucket{route=\"replica\""), text);
            assertTrue(text.contains("resplit_backend_request_duration_seconds_count{node=\"127.0.0.1:"), text);
            assertTrue(text.matches("(?s).*resplit_backend_up\\{node=\"127\\.0\\.0\\.1:" + topology.master().port()
                    + "\",?} 1\\.0.*"), text);
            assertTrue(text.contains("resplit_clients_accepted_total"), text);
            assertTrue(text.contains("resplit_reads_master_redirects_total"), text);
            assertTrue(text.contains("resplit_slowlog_entries_total"), text);
            assertTrue(text.contains("jvm_memory_used_bytes"), text);
            assertTrue(text.contains("jvm_threads_live_threads"), text);
            // left out: six snapshots of every thread per scrape, a third of the scrape's cost (ProxyMetrics)
            assertFalse(text.contains("jvm_threads_states"), text);
            assertTrue(text.matches("(?s).*resplit_netty_buffer_memory_bytes\\{area=\"direct\",?} [1-9].*"),
                    "Netty buffer memory is reported: " + text);
            assertEquals(200, MetricsEndpoint.get(port, "/health").statusCode());
            assertEquals(200, MetricsEndpoint.get(port, "/ready").statusCode());

            topology.master().kill();
            Wait.until(Duration.ofSeconds(10), () -> {
                try {
                    return MetricsEndpoint.get(port, "/ready").statusCode() == 503;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, "/ready says 503 without a master");
            assertEquals(200, MetricsEndpoint.get(port, "/health").statusCode());
        }
    }

    @Test
    void failoverPausesAndBackendConnectionsAreCounted() throws Exception {
        int port = FreePorts.next();
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "metrics-port " + port)) {
            try (Jedis j = proxy.jedis()) {
                j.set("m:f", "1");
            }
            assertTrue(proxy.admin("FAILOVER").startsWith("OK"), "the failover runs");
            String text = MetricsEndpoint.get(port, "/metrics").body();
            assertTrue(text.matches("(?s).*resplit_failover_write_pause_seconds_count(\\{})? 1\\.0.*"), text);
            assertTrue(text.matches("(?s).*resplit_failovers_total\\{outcome=\"done\",?} 1\\.0.*"), text);
            for (io.resplit.testing.RedisServer node : List.of(topology.master(), topology.replicas().get(0))) {
                assertTrue(text.matches("(?s).*resplit_backend_connections_opened_total\\{node=\"127\\.0\\.0\\.1:"
                        + node.port() + "\",?} [1-9].*"), "connections to " + node.port() + " are counted: " + text);
            }
        }
    }
}
