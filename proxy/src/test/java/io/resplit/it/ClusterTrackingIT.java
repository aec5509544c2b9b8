package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import io.resplit.cluster.HashSlot;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisCluster;
import io.resplit.testing.RedisServer;
import io.resplit.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Client-side caching (CLIENT TRACKING) in cluster mode against a real Redis Cluster (3 masters, 1 replica
 * each): every node of every shard reports its changes to the proxy, so a value a client cached, whichever
 * shard's master or replica served it, is dropped when it changes; BCAST reports every shard's changes under
 * the client's prefixes, NOLOOP leaving out its own.
 */
class ClusterTrackingIT {
    private static RedisCluster cluster;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() {
        cluster = RedisCluster.start(3, 1, "cluster-secret");
        // a fresh cluster's replicas show in its map once gossip has caught up: the proxy reads them at start
        Wait.until(Duration.ofSeconds(30), () -> {
            try (Jedis j = cluster.jedis(cluster.nodes().get(0))) {
                return j.clusterShards().stream().allMatch(s -> s.getNodes().size() == 2);
            }
        }, "every shard's replica listed in CLUSTER SHARDS");
        proxy = ProxyUnderTest.start(cluster, "read-from replicas", "io-threads 2");
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
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

    /** GETs the replicas have run. */
    private static long replicaGets() {
        List<RedisServer> masters = cluster.masters();
        return cluster.nodes().stream().filter(n -> !masters.contains(n)).mapToLong(n -> calls(n, "get")).sum();
    }

    /** Whether {@code node} has a client with tracking on: the proxy's feed of its changes. */
    private static boolean reports(RedisServer node) {
        try (Jedis j = cluster.jedis(node)) {
            return j.clientList().lines().anyMatch(l -> l.matches(".* flags=\\S*t\\S* .*"));
        }
    }

    /** The master serving {@code key}'s slot. */
    private static RedisServer masterOf(String key) {
        int slot = HashSlot.of(key.getBytes(StandardCharsets.UTF_8));
        for (RedisServer m : cluster.masters()) {
            try (Jedis j = cluster.jedis(m)) {
                boolean serves = j.clusterNodes().lines().filter(l -> l.contains("myself")).anyMatch(l -> {
                    String[] f = l.split(" ");
                    for (int i = 8; i < f.length; i++) {
                        String[] range = f[i].split("-");
                        if (!f[i].startsWith("[") && slot >= Integer.parseInt(range[0])
                                && slot <= Integer.parseInt(range[range.length - 1])) {
                            return true;
                        }
                    }
                    return false;
                });
                if (serves) {
                    return m;
                }
            }
        }
        throw new AssertionError("no master serves " + key);
    }

    @Test
    void lettuceCacheDropsValuesOfEveryShardWhenTheyChange() throws Exception {
        String prefix = "ctc:";
        Set<RedisServer> shards = new HashSet<>();
        try (Jedis writer = proxy.jedis()) {
            for (int i = 0; i < 30; i++) {
                writer.set(prefix + i, "old");
                shards.add(masterOf(prefix + i));
            }
        }
        assertEquals(3, shards.size(), "the keys cover every shard");
        // a tracked read goes to a replica once the replica's own report of changes runs (the first client's
        // CLIENT TRACKING ON waits only for the masters'): wait for every node's, seen as a tracking client there
        try (RawClient first = new RawClient(proxy.port())) {
            first.send("HELLO 3 AUTH default " + ProxyUnderTest.PASSWORD + "\r\n");
            first.skipReply();
            first.send("CLIENT TRACKING ON\r\n");
            assertEquals("+OK", first.readLine());
            Wait.until(Duration.ofSeconds(10), () -> cluster.nodes().stream().allMatch(ClusterTrackingIT::reports),
                    "every node reports its changes to the proxy");
        }
        // and for the replicas to serve reads at all (a fresh cluster's replicas are healthy after a moment)
        try (Jedis reader = proxy.jedis()) {
            Wait.until(Duration.ofSeconds(20), () -> {
                long before = replicaGets();
                for (int i = 0; i < 30; i++) {
                    reader.get(prefix + i);
                }
                return replicaGets() >= before + 20;
            }, "the replicas serve reads through the proxy");
        }
        long replicaGetsBefore = replicaGets();
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(proxy.port())
                .withPassword(ProxyUnderTest.PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(10)).build());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            Map<String, String> cache = new ConcurrentHashMap<>();
            CacheFrontend<String, String> frontend = ClientSideCaching.enable(CacheAccessor.forMap(cache), conn,
                    TrackingArgs.Builder.enabled());
            // the report of the writes above may still be on its way and drop an entry once: read until all stay
            Wait.until(Duration.ofSeconds(10), () -> {
                for (int i = 0; i < 30; i++) {
                    assertEquals("old", frontend.get(prefix + i));
                }
                return cache.size() == 30;
            }, "every value read is cached");
            long replicaGets = replicaGets() - replicaGetsBefore;
            try (Jedis writer = proxy.jedis()) {
                for (int i = 0; i < 20; i++) {
                    writer.set(prefix + i, "new");
                }
            }
            Wait.until(Duration.ofSeconds(10), () -> cache.size() == 10, "every cached value of a changed key dropped");
            for (int i = 20; i < 30; i++) { // key by key, not the whole cache at once: the others stay
                assertEquals("old", cache.get(prefix + i), "an unchanged key stays cached");
            }
            for (int i = 0; i < 20; i++) {
                String key = prefix + i;
                Wait.until(Duration.ofSeconds(10), () -> "new".equals(frontend.get(key)), key + " reads the change");
            }
            frontend.close();
            System.out.printf("tracked reads served by replicas: %d GETs%n", replicaGets);
            assertTrue(replicaGets > 0, "replicas served tracked reads (their changes are reported too)");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void bcastReportsEveryShardsChangesButNotTheClientsOwnWithNoloop() throws Exception {
        // one key per shard for another client to change, and the client's own key beside one of them (same
        // slot, so had its own change been reported, that report would come first on that node's feed)
        List<String> theirs = new ArrayList<>();
        Set<RedisServer> covered = new HashSet<>();
        for (int i = 0; theirs.size() < 3; i++) {
            String key = "ctb:{t" + i + "}theirs";
            if (covered.add(masterOf(key))) {
                theirs.add(key);
            }
        }
        String own = theirs.get(0).replace("theirs", "own");
        try (RawClient c = new RawClient(proxy.port()); Jedis writer = proxy.jedis()) {
            c.timeoutMillis(10_000);
            c.send("HELLO 3 AUTH default " + ProxyUnderTest.PASSWORD + "\r\n");
            c.skipReply();
            c.send("CLIENT TRACKING ON BCAST PREFIX ctb: NOLOOP\r\n");
            assertEquals("+OK", c.readLine());
            c.send("SET " + own + " 1\r\n");
            assertEquals("+OK", c.readLine());
            writer.set("ctx:other", "x"); // outside the prefix: not reported
            for (String key : theirs) {
                writer.set(key, "y");
            }
            Set<String> reported = new HashSet<>();
            while (reported.size() < theirs.size()) {
                assertEquals(">2", c.readLine());
                assertEquals("$10", c.readLine());
                assertEquals("invalidate", c.readLine());
                int n = Integer.parseInt(c.readLine().substring(1));
                for (int k = 0; k < n; k++) {
                    c.readLine(); // $len
                    String key = c.readLine();
                    assertFalse(key.equals(own), "the client's own change is not reported back (NOLOOP)");
                    reported.add(key);
                }
            }
            assertEquals(new HashSet<>(theirs), reported, "each shard's change under the prefix, nothing else");
        }
    }
}
