package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/** Blocking commands run on their own master connection: they block only their client, time out as on Redis. */
class BlockingCommandsIT {
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(1, "io-threads 2", "maxclients 2000");
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
    void blpopTimesOutAsOnRedisWithoutStallingOthers() throws Exception {
        try (Jedis blocked = proxy.jedis(); Jedis other = proxy.jedis()) {
            long start = System.nanoTime();
            CompletableFuture<List<String>> pop = CompletableFuture.supplyAsync(() -> blocked.blpop(1, "blk:empty"));
            // while it blocks, clients on the same proxy (and io thread) are served at once
            for (int i = 0; i < 100; i++) {
                other.set("blk:other", "v" + i);
                assertEquals("v" + i, other.get("blk:other"));
            }
            assertTrue(!pop.isDone() || System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900),
                    "the others finished while BLPOP still blocked");
            assertNull(pop.get(10, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 900 && ms < 5000, "BLPOP 1 returned after " + ms + " ms");
            assertEquals("PONG", blocked.ping());
        }
    }

    @Test
    void blpopReceivesAPushFromAnotherClient() throws Exception {
        try (Jedis blocked = proxy.jedis(); Jedis pusher = proxy.jedis()) {
            CompletableFuture<List<String>> pop = CompletableFuture.supplyAsync(() -> blocked.blpop(10, "blk:q"));
            Wait.until(Duration.ofSeconds(5), () -> blockedClients() >= 1, "BLPOP blocked on the master");
            pusher.rpush("blk:q", "hello");
            assertEquals(List.of("blk:q", "hello"), pop.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void fiveHundredBlockedClientsDoNotStarveTheRest() throws Exception {
        int n = 500;
        List<RawClient> blocked = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                RawClient c = new RawClient(proxy.port());
                blocked.add(c);
                c.timeoutMillis(20_000);
                c.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nBLPOP blk:many 30\r\n");
            }
            for (RawClient c : blocked) {
                assertEquals("+OK", c.readLine());
            }
            Wait.until(Duration.ofSeconds(20), () -> blockedClients() >= n, n + " clients blocked on the master");
            try (Jedis j = proxy.jedis()) {
                long start = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    j.set("blk:busy", "v" + i);
                    assertEquals("v" + i, j.get("blk:busy"));
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(ms < 10_000, "1000 SET+GET while 500 clients block took " + ms + " ms");
                for (int i = 0; i < n; i++) {
                    j.rpush("blk:many", "item" + i);
                }
            }
            for (RawClient c : blocked) {
                assertEquals("*2", c.readLine());
                assertEquals("$8", c.readLine());
                assertEquals("blk:many", c.readLine());
                c.readLine();
                c.readLine();
            }
        } finally {
            for (RawClient c : blocked) {
                c.close();
            }
        }
    }

    @Test
    void aBlockedClientThatDisconnectsFreesItsConnection() throws Exception {
        long before = dedicatedConnections();
        RawClient c = new RawClient(proxy.port());
        c.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nBLPOP blk:gone 60\r\n");
        assertEquals("+OK", c.readLine());
        Wait.until(Duration.ofSeconds(5), () -> blockedClients() == 1, "BLPOP blocked on the master");
        c.close();
        // the proxy closes the blocked backend connection (it cannot be reused while blocked)
        Wait.until(Duration.ofSeconds(5), () -> blockedClients() == 0, "the blocked master connection closed");
        assertTrue(dedicatedConnections() <= before, "no dedicated connection left over");
    }

    @Test
    void xreadWithBlockWaitsForNewEntriesWithoutBlockItReads() throws Exception {
        try (Jedis reader = proxy.jedis(); Jedis writer = proxy.jedis()) {
            writer.xadd("blk:stream", StreamEntryID.NEW_ENTRY, Map.of("f", "first"));
            // the reader did not write: its XREAD (no BLOCK) is served by a replica, which must have the entry
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            List<Map.Entry<String, List<StreamEntry>>> now = reader.xread(XReadParams.xReadParams().count(10),
                    Map.of("blk:stream", new StreamEntryID()));
            assertEquals("first", now.get(0).getValue().get(0).getFields().get("f"));
            CompletableFuture<List<Map.Entry<String, List<StreamEntry>>>> later = CompletableFuture.supplyAsync(
                    () -> reader.xread(XReadParams.xReadParams().block(10_000),
                            Map.of("blk:stream", StreamEntryID.XREAD_NEW_ENTRY)));
            Wait.until(Duration.ofSeconds(5), () -> blockedClients() >= 1, "XREAD BLOCK blocked on the master");
            writer.xadd("blk:stream", StreamEntryID.NEW_ENTRY, Map.of("f", "second"));
            assertEquals("second", later.get(10, TimeUnit.SECONDS).get(0).getValue().get(0).getFields().get("f"));
        }
    }

    @Test
    void commandsHeldBehindABlockedOneKeepTheDatabaseTheyWereSentIn() throws Exception {
        try (RawClient c = new RawClient(proxy.port())) {
            c.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nBLPOP blk:nolist 0.3\r\nSET blk:heldk v\r\nSELECT 1\r\n"
                    + "GET blk:heldk\r\nSELECT 0\r\nGET blk:heldk\r\n");
            assertEquals("+OK", c.readLine());
            assertEquals("*-1", c.readLine()); // BLPOP timed out
            assertEquals("+OK", c.readLine());
            assertEquals("+OK", c.readLine());
            assertEquals("$-1", c.readLine()); // not in database 1
            assertEquals("+OK", c.readLine());
            assertEquals("$1", c.readLine()); // the SET ran in database 0, where it was sent
            assertEquals("v", c.readLine());
        }
    }

    private static long blockedClients() {
        try (Jedis m = topology.jedis(topology.master())) {
            for (String line : m.info("clients").split("\r\n")) {
                if (line.startsWith("blocked_clients:")) {
                    return Long.parseLong(line.substring("blocked_clients:".length()).trim());
                }
            }
        }
        return -1;
    }

    private static long dedicatedConnections() {
        try (Jedis m = topology.jedis(topology.master())) {
            return m.clientList().lines().filter(l -> l.contains(" name=resplit-dedicated ")).count();
        }
    }

    @Test
    void readyConnectionsWaitForBlockingCommandsFromTheStart() {
        // blocking-pool-size 2 (the default) on each of the 2 I/O threads, opened when the proxy starts
        Wait.until(java.time.Duration.ofSeconds(10), () -> {
            try (Jedis m = topology.jedis(topology.master())) {
                return m.clientList().lines().filter(l -> l.contains(" name=resplit-dedicated ")).count() >= 4;
            }
        }, "ready dedicated connections on the master");
    }

    @Test
    void aBlockedXreadgroupWhoseStreamIsDeletedGetsRedissOwnError() throws Exception {
        for (int i = 0; i < 20; i++) {
            String stream = "bx:stream:" + i;
            try (Jedis w = proxy.jedis();
                 io.resplit.testing.RawClient blocked = new io.resplit.testing.RawClient(proxy.port());
                 Jedis m = topology.jedis(topology.master())) {
                w.xadd(stream, new redis.clients.jedis.StreamEntryID(666, 0), java.util.Map.of("f", "v"));
                w.xgroupCreate(stream, "g", redis.clients.jedis.StreamEntryID.LAST_ENTRY, false);
                long before = blockedClients(m);
                blocked.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\n");
                blocked.skipReply();
                blocked.send("XREADGROUP GROUP g alice BLOCK 0 STREAMS " + stream + " >\r\n");
                Wait.until(java.time.Duration.ofSeconds(10), () -> blockedClients(m) > before, "XREADGROUP blocked");
                w.del(stream);
                String reply = blocked.readLine();
                // Redis's own answer, not a re-issued XREADGROUP's NOGROUP
                assertTrue(reply.startsWith("-UNBLOCKED") && reply.contains("no longer exists"), reply);
            }
        }
    }

    /**
     * A blocking command sent just before another client's writes is not overtaken by them for want of a ready
     * connection (directly, two sockets race too: Redis serves the one epoll reports first, so both counts are
     * printed for comparison). BLPOP then gets the first of two LPUSHes sent right after it, or, when the pushes
     * ran first, the second. The blocking command leaves on a connection that is ready, so the proxy adds no
     * connection set-up in front of it.
     */
    @Test
    void aBlpopSentJustBeforeOtherClientsPushesIsNotOvertakenForWantOfAConnection() throws Exception {
        int direct = overtaken(topology.master().port(), topology.password(), 300);
        int proxied = overtaken(proxy.port(), ProxyUnderTest.PASSWORD, 300);
        System.out.printf("BLPOP overtaken by LPUSHes sent right after it: %d of 300 directly, %d of 300 through "
                + "the proxy%n", direct, proxied);
        // both counts vary widely from run to run (seen: 12 % to 65 % directly, 3 % to 33 % through the proxy),
        // so they are not compared with each other; a BLPOP waiting for a connection to be opened would be
        // overtaken nearly every time (set-up takes milliseconds, an LPUSH microseconds)
        assertTrue(proxied < 270, "through the proxy " + proxied + " of 300, directly " + direct);
    }

    private static int overtaken(int port, String password, int rounds) throws Exception {
        int overtaken = 0;
        try (io.resplit.testing.RawClient blocked = new io.resplit.testing.RawClient(port);
             io.resplit.testing.RawClient pusher = new io.resplit.testing.RawClient(port)) {
            blocked.send("AUTH " + password + "\r\n");
            blocked.skipReply();
            pusher.send("AUTH " + password + "\r\n");
            pusher.skipReply();
            for (int i = 0; i < rounds; i++) {
                String key = "bx:order:" + port + ":" + i;
                blocked.send("BLPOP " + key + " 0\r\n");
                pusher.send("LPUSH " + key + " first\r\nLPUSH " + key + " second\r\n");
                pusher.skipReply();
                pusher.skipReply();
                assertEquals("*2", blocked.readLine());
                assertEquals(key, blocked.readReplyText().split("\n")[1].strip());
                if (blocked.readReplyText().split("\n")[1].strip().equals("second")) {
                    overtaken++;
                }
                pusher.send("DEL " + key + "\r\n");
                pusher.skipReply();
            }
        }
        return overtaken;
    }

    private static long blockedClients(Jedis master) {
        for (String line : master.info("clients").split("\r?\n")) {
            if (line.startsWith("blocked_clients:")) {
                return Long.parseLong(line.substring("blocked_clients:".length()).trim());
            }
        }
        return 0;
    }
}
