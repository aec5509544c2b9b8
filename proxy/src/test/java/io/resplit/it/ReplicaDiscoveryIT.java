package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** replica-discovery yes: a node that starts replicating the master serves reads without an admin command. */
class ReplicaDiscoveryIT {

    @Test
    void aNewReplicaOfTheMasterServesReadsByItself() {
        try (RedisTopology topology = RedisTopology.start(0, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "replica-discovery yes");
             RedisServer joined = RedisServer.start("node-secret", "--replicaof", "127.0.0.1",
                     Integer.toString(topology.master().port()), "--masterauth", "node-secret");
             Jedis client = proxy.jedis();
             Jedis direct = topology.jedis(joined)) {
            assertEquals("OK", client.set("seen", "yes"));
            Wait.until(Duration.ofSeconds(20), () -> proxy.admin("BACKENDS").lines()
                    .anyMatch(l -> l.contains("addr=127.0.0.1:" + joined.port()) && l.contains("serves_reads=1")),
                    "the new replica to join the topology and serve reads");
            // a connection that never wrote may read from a replica that is behind: wait until it has the key
            Wait.until(Duration.ofSeconds(20), () -> "yes".equals(direct.get("seen")), "the replica to have the key");
            direct.configResetStat();
            for (int i = 0; i < 50; i++) {
                try (Jedis fresh = proxy.jedis()) { // a connection that never wrote: no read-your-writes fence
                    assertEquals("yes", fresh.get("seen"));
                }
            }
            long reads = topology.commandCalls(joined, "get");
            assertTrue(reads > 0, "reads reach the discovered replica: " + reads);
        }
    }
}
