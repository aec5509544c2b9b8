package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Read-your-writes while the replicas really lag: other connections push large values to the master, so a
 * naive split (write to the master, read a replica) returns stale values; through the proxy a connection
 * always reads its own writes, and connections that did not write still read from replicas.
 */
class ReadYourWritesIT {
    private static final int ROUNDS = 300;

    @Test
    void aConnectionReadsItsOwnWritesWhileReplicasLag() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             // no lag limit: this test is about read-your-writes, and its ballast makes the replicas lag a lot
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "io-threads 2", "replica-max-lag 0")) {
            AtomicBoolean loading = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> ballast = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int id = t;
                    ballast.add(pool.submit(() -> pushLargeValues(topology, id, loading)));
                }

                // the replicas must really lag for this test to mean anything: wait until a naive split sees it
                int naiveStale = io.resplit.testing.Wait.until(java.time.Duration.ofSeconds(30), () -> {
                    int stale = naiveSplitStaleReads(topology);
                    return stale >= ROUNDS / 10 ? stale : null;
                }, "replicas lagging enough that a naive split reads stale values (10% of reads or more)");

                long replicaGetsBefore = replicaGets(topology);
                List<Future<Integer>> writers = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    int id = c;
                    writers.add(pool.submit(() -> staleReadsThroughProxy(proxy, id)));
                }
                int readerGets = 200;
                try (Jedis reader = proxy.jedis()) {
                    for (int i = 0; i < readerGets; i++) {
                        reader.get("ryw:reader:" + i);
                    }
                }
                for (Future<Integer> w : writers) {
                    assertEquals(0, w.get(), "stale reads of a connection's own writes through the proxy");
                }
                long servedByReplicas = replicaGets(topology) - replicaGetsBefore;
                assertTrue(servedByReplicas >= readerGets / 2,
                        "a connection that did not write keeps reading from replicas: " + servedByReplicas);
                System.out.printf("naive split stale reads: %d/%d; through resplit: 0/%d; replica GETs: %d%n",
                        naiveStale, ROUNDS, 4 * ROUNDS, servedByReplicas);
            } finally {
                loading.set(false);
                pool.shutdown();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            }
        }
    }

    /** What an app with one client per node (the classic tutorial) sees: write the master, read a replica. */
    private static int naiveSplitStaleReads(RedisTopology topology) {
        int stale = 0;
        try (Jedis master = topology.jedis(topology.master());
             Jedis replica = topology.jedis(topology.replicas().get(0))) {
            for (int i = 0; i < ROUNDS; i++) {
                String value = "naive-" + i;
                master.set("ryw:naive", value);
                if (!value.equals(replica.get("ryw:naive"))) {
                    stale++;
                }
            }
        }
        return stale;
    }

    private static int staleReadsThroughProxy(ProxyUnderTest proxy, int id) {
        int stale = 0;
        try (Jedis j = proxy.jedis()) {
            for (int i = 0; i < ROUNDS; i++) {
                String key = "ryw:" + id;
                String value = "v" + i;
                j.set(key, value);
                if (!value.equals(j.get(key))) {
                    stale++;
                }
            }
        }
        return stale;
    }

    private static void pushLargeValues(RedisTopology topology, int id, AtomicBoolean loading) {
        byte[] value = new byte[256 * 1024];
        new Random(id).nextBytes(value);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Jedis master = topology.jedis(topology.master())) {
            int i = 0;
            while (loading.get() && System.nanoTime() < deadline) {
                master.set(("ballast:" + id + ":" + (i++ % 64)).getBytes(), value);
            }
        }
    }

    private static long replicaGets(RedisTopology topology) {
        long n = 0;
        for (RedisServer r : topology.replicas()) {
            n += topology.commandCalls(r, "get");
        }
        return n;
    }
}
