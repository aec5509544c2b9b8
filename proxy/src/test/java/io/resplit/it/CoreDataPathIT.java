package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

/** The core data path against a real master and two replicas, driven by Jedis and redis-cli. */
class CoreDataPathIT {
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(2, "io-threads 2");
        topology = fixture.topology();
        proxy = fixture.proxy();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void tutorialFlowReadsBackItsOwnWrite() {
        try (Jedis j = proxy.jedis()) {
            assertEquals("OK", j.set("username", "知了课堂", SetParams.setParams().ex(1000)));
            assertEquals("知了课堂", j.get("username"));
            long ttl = j.ttl("username");
            assertTrue(ttl > 990 && ttl <= 1000, "ttl " + ttl);
        }
    }

    @Test
    void redisCliWorksThroughTheProxy() {
        assertEquals("OK", proxy.redisCli("set", "cli:key", "hello world"));
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10)); // a second redis-cli process reads a replica
        assertEquals("hello world", proxy.redisCli("get", "cli:key"));
        assertEquals("PONG", proxy.redisCli("ping"));
    }

    @Test
    void pipelineOfMixedSetsAndGetsSeesEachPrecedingSet() {
        List<String[]> writes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            writes.add(new String[] {"pipe:" + (i % 37), "v" + i});
        }
        assertPipelinedGetsSeeEachSet(writes);
    }

    @Test
    void pipelinedRepliesOfEverySizeComeBackWholeAndInOrder() {
        // around the size up to which the proxy copies replies into one buffer per flush instead of writing them
        // as they are (WriteBatch.COPY_AT_MOST: a 504-byte value is a 512-byte reply, 505 one byte more)
        int[] sizes = {0, 1, 490, 500, 504, 505, 506, 600, 4096, 70_000, 3};
        List<String[]> writes = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            for (int size : sizes) {
                writes.add(new String[] {"sizes:" + size, String.valueOf((char) ('a' + round % 26)).repeat(size)});
            }
        }
        assertPipelinedGetsSeeEachSet(writes);
        // only small replies, far more than one batch holds (WriteBatch.LIMIT): batches handed over early
        List<String[]> small = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            small.add(new String[] {"small:" + (i % 50), String.valueOf((char) ('a' + i % 26)).repeat(490)});
        }
        assertPipelinedGetsSeeEachSet(small);
    }

    /** One pipeline of SET key value, GET key for each pair: every GET must see the SET just before it. */
    private static void assertPipelinedGetsSeeEachSet(List<String[]> writes) {
        try (Jedis j = proxy.jedis()) {
            Pipeline p = j.pipelined();
            List<Response<String>> gets = new ArrayList<>();
            for (String[] kv : writes) {
                p.set(kv[0], kv[1]);
                gets.add(p.get(kv[0]));
            }
            p.sync();
            for (int i = 0; i < gets.size(); i++) {
                assertEquals(writes.get(i)[1], gets.get(i).get(), "GET number " + i);
            }
        }
    }

    @Test
    void readsFromConnectionsThatDidNotWriteLandOnReplicas() {
        try (Jedis m = topology.jedis(topology.master())) {
            for (int i = 0; i < 50; i++) {
                m.set("spread:" + i, "x" + i);
            }
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
        topology.resetStats();
        int reads = 400;
        try (Jedis j = proxy.jedis()) {
            for (int i = 0; i < reads; i++) {
                assertEquals("x" + (i % 50), j.get("spread:" + (i % 50)));
            }
        }
        long onMaster = topology.commandCalls(topology.master(), "get");
        long onReplica0 = topology.commandCalls(topology.replicas().get(0), "get");
        long onReplica1 = topology.commandCalls(topology.replicas().get(1), "get");
        assertEquals(0, onMaster, "GETs on the master");
        assertEquals(reads, onReplica0 + onReplica1);
        assertTrue(onReplica0 >= reads / 5 && onReplica1 >= reads / 5,
                "both replicas serve reads: " + onReplica0 + " / " + onReplica1);
    }

    @Test
    void aPipelinesReadsKeepToOneReplicaAndAnswerInOrder() {
        int reads = 32; // one run (SharedLanes.RUN), sent in one write
        try (Jedis m = topology.jedis(topology.master())) {
            for (int i = 0; i < reads; i++) {
                m.set("run:" + i, "v" + i);
            }
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
        topology.resetStats();
        try (Jedis j = proxy.jedis()) {
            Pipeline pipeline = j.pipelined();
            List<Response<String>> replies = new ArrayList<>();
            for (int i = 0; i < reads; i++) {
                replies.add(pipeline.get("run:" + i));
            }
            pipeline.sync();
            for (int i = 0; i < reads; i++) {
                assertEquals("v" + i, replies.get(i).get(), "reply " + i);
            }
        }
        long onMaster = topology.commandCalls(topology.master(), "get");
        long onReplica0 = topology.commandCalls(topology.replicas().get(0), "get");
        long onReplica1 = topology.commandCalls(topology.replicas().get(1), "get");
        assertEquals(0, onMaster, "GETs on the master");
        assertTrue(onReplica0 == reads && onReplica1 == 0 || onReplica1 == reads && onReplica0 == 0,
                "the pipeline's reads follow each other to one replica: " + onReplica0 + " / " + onReplica1);
    }

    @Test
    void sortAndOtherWriteFlaggedReadsNeverReachAReplica() {
        try (Jedis j = proxy.jedis()) {
            j.del("sortme");
            j.rpush("sortme", "3", "1", "2");
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
        topology.resetStats();
        try (Jedis j = proxy.jedis()) {
            assertEquals(List.of("1", "2", "3"), j.sort("sortme"));
        }
        try (Jedis j = proxy.jedis()) { // SORT counts as a write: a fresh connection is not pinned by it
            assertEquals(List.of("1", "2", "3"),
                    j.sortReadonly("sortme", new redis.clients.jedis.params.SortingParams()));
        }
        assertEquals(1, topology.commandCalls(topology.master(), "sort"));
        for (RedisServer r : topology.replicas()) {
            assertEquals(0, topology.commandCalls(r, "sort"));
        }
        assertEquals(0, topology.commandCalls(topology.master(), "sort_ro"), "SORT_RO on the master");
        assertEquals(1, topology.commandCalls(topology.replicas().get(0), "sort_ro")
                + topology.commandCalls(topology.replicas().get(1), "sort_ro"));
    }

    @Test
    void selectIsPerClientConnection() {
        try (Jedis a = proxy.jedis(); Jedis b = proxy.jedis()) {
            assertEquals("OK", a.select(3));
            a.set("db:key", "in-three");
            assertEquals("in-three", a.get("db:key"));
            assertNull(b.get("db:key"));
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10)); // b did not write: it reads a replica
            b.select(3);
            assertEquals("in-three", b.get("db:key"));
        }
        try (Jedis m = topology.jedis(topology.master())) {
            m.select(3);
            assertEquals("in-three", m.get("db:key"));
        }
    }

    @Test
    void twoHundredConcurrentClientsShareFewBackendConnections() throws Exception {
        int clients = 200;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Jedis> open = new ArrayList<>();
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Jedis j = proxy.jedis();
                open.add(j);
                int id = c;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 50; i++) {
                        String key = "many:" + id + ":" + i;
                        j.set(key, "v" + i);
                        if (("v" + i).equals(j.get(key))) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(50, f.get());
            }
            // while all 200 clients are still connected: 2 io threads x 1 connection per node and database
            for (RedisServer node : topology.nodes()) {
                long n = ProxyUnderTest.dataConnections(topology, node);
                assertTrue(n <= 2, "data connections to " + node + ": " + n);
            }
        } finally {
            open.forEach(Jedis::close);
            pool.shutdownNow();
        }
    }
}
