package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.cluster.HashSlot;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisCluster;
import io.resplit.testing.RedisServer;
import io.resplit.testing.TestCertificates;
import io.resplit.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/**
 * Cluster mode in front of a TLS-only Redis Cluster (3 masters, 1 replica each; {@code --port 0 --tls-port
 * --tls-cluster yes --tls-replication yes --tls-auth-clients yes}): the proxy reads the slot map over TLS, takes
 * each node's TLS port from it ({@code CLUSTER SHARDS} lists it as {@code tls-port}, beside no {@code port}),
 * writes to the masters and reads from the replicas over TLS, and follows a slot moved to another master (the
 * {@code MOVED} a TLS connection gets names the TLS port).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTlsIT {
    private static TestCertificates certs;
    private static RedisCluster cluster;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() {
        certs = TestCertificates.create();
        cluster = RedisCluster.startTls(3, 1, "cluster-tls-secret", certs);
        proxy = ProxyUnderTest.start(cluster, "read-from replicas", "tls-backends yes",
                "tls-ca-cert-file " + certs.caCert(), "tls-client-cert-file " + certs.clientCert(),
                "tls-client-key-file " + certs.clientKey());
    }

    @AfterAll
    static void stop() {
        // processes first: they hold the certificate files open by path until they exit
        try {
            if (proxy != null) {
                proxy.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (certs != null) {
                certs.close();
            }
        }
    }

    private static long calls(RedisServer node, String command) {
        try (Jedis j = cluster.jedis(node)) {
            for (String line : j.info("commandstats").split("\r\n")) {
                if (line.startsWith("cmdstat_" + command + ":calls=")) {
                    return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
                }
            }
            return 0;
        }
    }

    @Test
    @Order(1)
    void everyShardTakesItsWritesAndItsReplicaServesReadsOverTls() {
        List<RedisServer> masters = cluster.masters();
        assertEquals(3, masters.size());
        assertTrue(cluster.nodes().stream().allMatch(RedisServer::isTls), "TLS-only nodes");
        try (Jedis j = proxy.jedis()) {
            for (int i = 0; i < 600; i++) {
                assertEquals("OK", j.set("tls-spread:" + i, "v" + i));
            }
        }
        for (RedisServer m : masters) {
            assertTrue(calls(m, "set") > 100, "master " + m + " took its share of the writes: " + calls(m, "set"));
        }
        // another connection (no writes of its own): replicas may serve its reads once gossip has shown them
        try (Jedis reader = proxy.jedis()) {
            Wait.until(Duration.ofSeconds(20), () -> {
                for (RedisServer m : masters) {
                    for (RedisServer r : cluster.replicasOf(m)) {
                        long before = calls(r, "get");
                        for (int i = 0; i < 200; i++) {
                            assertEquals("v" + i, reader.get("tls-spread:" + i));
                        }
                        if (calls(r, "get") == before) {
                            return false;
                        }
                    }
                }
                return true;
            }, "every shard's replica serves reads through the proxy over TLS");
            for (int i = 0; i < 600; i++) {
                assertEquals("v" + i, reader.get("tls-spread:" + i));
            }
        }
    }

    @Test
    @Order(2)
    void aSlotMovedToAnotherMasterIsFollowedByItsTlsPort() {
        RedisServer from = cluster.masters().get(0);
        RedisServer to = cluster.masters().get(1);
        int slot = lowestSlot(from); // redis-cli --cluster reshard moves a master's slots from its lowest up
        String key = keyIn(slot);
        try (Jedis j = proxy.jedis()) {
            assertEquals("OK", j.set(key, "before"));
            String out = cluster.cli("--cluster", "reshard", from.host() + ":" + from.port(),
                    "--cluster-from", cluster.id(from), "--cluster-to", cluster.id(to),
                    "--cluster-slots", "1", "--cluster-yes");
            assertTrue(out.contains("Moving slot " + slot + " "), out);
            assertEquals("before", j.get(key));
            assertEquals("OK", j.set(key, "after"));
            assertEquals("after", j.get(key));
        }
        try (Jedis direct = cluster.jedis(to)) {
            assertEquals("after", direct.get(key), "the write went to the slot's new master");
        }
    }

    /** The lowest slot {@code master} serves, from its own CLUSTER NODES line. */
    private static int lowestSlot(RedisServer master) {
        try (Jedis j = cluster.jedis(master)) {
            String myself = j.clusterNodes().lines().filter(l -> l.contains("myself")).findFirst().orElseThrow();
            String[] fields = myself.split(" ");
            return Integer.parseInt(fields[8].split("-")[0]);
        }
    }

    /** A key whose hash slot is {@code slot}. */
    private static String keyIn(int slot) {
        for (int i = 0; ; i++) {
            String key = "tls-moved:" + i;
            if (HashSlot.of(key.getBytes(StandardCharsets.UTF_8)) == slot) {
                return key;
            }
        }
    }
}
