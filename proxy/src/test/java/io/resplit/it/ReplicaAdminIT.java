package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.LoadVerifier;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Replicas added, drained and removed from the admin console at runtime, under load, without errors. */
class ReplicaAdminIT {

    @Test
    void replicasAddedDrainedAndRemovedUnderLoad() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret")) {
            RedisServer first = topology.replicas().get(0);
            RedisServer second = topology.replicas().get(1);
            // the proxy starts knowing only the first replica
            try (ProxyUnderTest proxy = ProxyUnderTest.start(topology, "replica 127.0.0.1 " + first.port())) {
                proxy.proxy().context(); // started
                LoadVerifier load = new LoadVerifier(10, proxy::jedis, 50, 120);
                try (Jedis m = topology.jedis(topology.master())) {
                    for (int i = 0; i < 50; i++) {
                        m.set("ra:" + i, "v");
                    }
                }
                topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));

                assertEquals("OK", proxy.admin("REPLICA", "ADD", "127.0.0.1", Integer.toString(second.port())));
                Wait.until(Duration.ofSeconds(10), () -> readsOn(topology, proxy, second) > 0,
                        "reads on the added replica");

                assertEquals("OK", proxy.admin("REPLICA", "DRAIN", "127.0.0.1", Integer.toString(first.port())));
                assertFalse(proxy.admin("BACKENDS").contains("addr=127.0.0.1:" + first.port()));
                topology.resetStats();
                readsOn(topology, proxy, first);
                assertEquals(0, topology.commandCalls(first, "get"), "a drained replica gets no reads");

                assertEquals("OK", proxy.admin("REPLICA", "REMOVE", "127.0.0.1", Integer.toString(first.port())));
                assertTrue(proxy.admin("REPLICA", "REMOVE", "127.0.0.1", Integer.toString(first.port()))
                        .contains("not a replica"));
                long before = load.writes();
                Wait.until(Duration.ofSeconds(20), () -> load.writes() > before + 200, "load going on");
                LoadVerifier.Report report = load.stop();
                assertEquals(List.of(), report.errors());
                assertEquals(0, report.droppedConnections());
            }
        }
    }

    /** Reads 50 keys on fresh connections and returns how many GETs {@code node} has served so far. */
    private static long readsOn(RedisTopology topology, ProxyUnderTest proxy, RedisServer node) {
        for (int i = 0; i < 50; i++) {
            try (Jedis j = proxy.jedis()) {
                j.get("ra:" + i);
            }
        }
        return topology.commandCalls(node, "get");
    }
}
