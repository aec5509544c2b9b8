package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Client-side caching through the proxy (CLIENT TRACKING): Lettuce's cache frontend keeps values it read, and
 * drops them when the proxy reports a change, for reads served by replicas and by the master; while another
 * connection writes, no cached value outlives the change it missed. RESP2 REDIRECT, BCAST and the tracking
 * subcommands with raw RESP.
 */
class ClientTrackingIT {
    private static ProxyFixture fixture;
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;
    private static ProxyUnderTest masterOnlyProxy;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(2);
        topology = fixture.topology();
        proxy = fixture.proxy();
        masterOnlyProxy = ProxyUnderTest.start(topology, "read-from master");
    }

    @AfterAll
    static void stop() {
        if (masterOnlyProxy != null) {
            masterOnlyProxy.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static RedisClient lettuce(ProxyUnderTest p) {
        return RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(p.port())
                .withPassword(ProxyUnderTest.PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void lettuceCacheDropsValuesReadFromReplicasWhenTheyChange() {
        long replicaGets = cacheFollowsChanges(proxy, "ct:r:");
        assertTrue(replicaGets >= 20, "the cached reads were served by replicas: " + replicaGets + " GETs there");
    }

    @Test
    void lettuceCacheDropsValuesReadFromTheMasterWhenTheyChange() {
        cacheFollowsChanges(masterOnlyProxy, "ct:m:");
    }

    /**
     * Caches 20 keys through {@code p}, changes them from another connection, and waits for every cached entry
     * to be dropped (only an invalidation does that) and the new values to be read. Returns the GETs the
     * replicas served.
     */
    private static long cacheFollowsChanges(ProxyUnderTest p, String prefix) {
        try (Jedis writer = proxy.jedis()) {
            for (int i = 0; i < 20; i++) {
                writer.set(prefix + i, "old");
            }
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
        topology.resetStats();
        RedisClient client = lettuce(p);
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            Map<String, String> cache = new ConcurrentHashMap<>();
            CacheFrontend<String, String> frontend = ClientSideCaching.enable(CacheAccessor.forMap(cache), conn,
                    TrackingArgs.Builder.enabled());
            // a report of the writes above may still be on its way and drop an entry once: read until all stay
            Wait.until(Duration.ofSeconds(10), () -> {
                for (int i = 0; i < 20; i++) {
                    assertEquals("old", frontend.get(prefix + i));
                }
                return cache.size() == 20;
            }, "every value read is cached");
            long replicaGets = topology.replicas().stream().mapToLong(r -> topology.commandCalls(r, "get")).sum();
            try (Jedis writer = proxy.jedis()) {
                for (int i = 0; i < 20; i++) {
                    writer.set(prefix + i, "new");
                }
            }
            Wait.until(Duration.ofSeconds(10), () -> cache.keySet().stream().noneMatch(k -> k.startsWith(prefix)),
                    "every cached value of a changed key is dropped");
            for (int i = 0; i < 20; i++) {
                String key = prefix + i;
                Wait.until(Duration.ofSeconds(10), () -> "new".equals(frontend.get(key)), key + " reads the change");
            }
            frontend.close();
            return replicaGets;
        } finally {
            client.shutdown();
        }
    }

    /**
     * The property client-side caching exists for: while another connection keeps changing keys, a cached value
     * may lag, but once the changes stop every cached value is dropped or equal to the master's (no change is
     * missed, whichever node served the read and however the report raced the read). The cache here reads its
     * connection in order, replies and pushes alike, as a client library should (Lettuce's frontend puts a value
     * in its map after its I/O thread may already have handled the push that drops it, so it cannot show this).
     */
    @Test
    void noCachedValueOutlivesAChangeUnderConcurrentWrites() throws Exception {
        String prefix = "ct:c:";
        int keys = 20;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        Thread writer = new Thread(() -> {
            Random random = new Random(7);
            try (Jedis w = proxy.jedis()) {
                while (writing.get()) {
                    w.set(prefix + random.nextInt(keys), Integer.toString(writes.incrementAndGet()));
                }
            }
        });
        try (TrackingCache cache = new TrackingCache(proxy.port())) {
            writer.start();
            Random random = new Random(11);
            long reads = 0;
            while (writes.get() < 5000) {
                cache.get(prefix + random.nextInt(keys));
                if (++reads % 20 == 0) {
                    cache.drainPushes(); // as a client's I/O thread would, between its own requests
                }
            }
            writing.set(false);
            writer.join();
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            try (Jedis master = topology.jedis(topology.master())) {
                Wait.until(Duration.ofSeconds(10), () -> {
                    cache.drainPushes();
                    return cache.entries.entrySet().stream()
                            .allMatch(e -> e.getValue().equals(master.get(e.getKey())));
                }, "every cached value equals the master's once writes stop");
            }
            System.out.printf("client tracking under load: %d writes, %d reads (%d from the cache), %d "
                    + "invalidations, %d entries cached at the end%n", writes.get(), reads, cache.hits,
                    cache.invalidations, cache.entries.size());
            assertTrue(cache.invalidations > 100 && cache.hits > 0, "the cache was used and told of changes");
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    /**
     * Across a FAILOVER: values cached from the old master and the replicas are dropped when the keys change on
     * the new master (whose feed may start only with its first tracked read: those clients are told to drop
     * everything then), and the new values are read back.
     */
    @Test
    void cachedValuesAreDroppedWhenKeysChangeAfterAFailover() throws Exception {
        try (RedisTopology t = RedisTopology.start(2, "node-secret"); ProxyUnderTest p = ProxyUnderTest.start(t);
             TrackingCache cache = new TrackingCache(p.port()); Jedis writer = p.jedis()) {
            for (int i = 0; i < 10; i++) {
                writer.set("ct:f:" + i, "before");
            }
            t.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            for (int i = 0; i < 10; i++) {
                assertEquals("before", cache.get("ct:f:" + i));
            }
            String out = p.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(t.replicas().get(0).port()),
                    "TIMEOUT", "5000");
            assertTrue(out.startsWith("OK"), out);
            for (int i = 0; i < 10; i++) {
                writer.set("ct:f:" + i, "after");
            }
            Wait.until(Duration.ofSeconds(10), () -> {
                cache.drainPushes();
                return cache.entries.values().stream().allMatch("after"::equals);
            }, "no value cached before the failover survives the change");
            for (int i = 0; i < 10; i++) {
                String key = "ct:f:" + i;
                Wait.until(Duration.ofSeconds(10), () -> {
                    try {
                        return "after".equals(cache.get(key));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, key + " reads the change");
            }
        }
    }

    /** A RESP3 client-side cache that handles its connection's frames strictly in order. */
    private static final class TrackingCache implements AutoCloseable {
        final Map<String, String> entries = new java.util.HashMap<>();
        final RawClient conn;
        long hits;
        long invalidations;

        TrackingCache(int port) throws Exception {
            conn = new RawClient(port);
            conn.send("HELLO 3 AUTH default " + ProxyUnderTest.PASSWORD + "\r\n");
            conn.skipReply();
            conn.send("CLIENT TRACKING ON\r\n");
            assertEquals("+OK", conn.readLine());
        }

        String get(String key) throws Exception {
            String cached = entries.get(key);
            if (cached != null) {
                hits++;
                return cached;
            }
            conn.send("GET " + key + "\r\n");
            String reply;
            while ((reply = conn.readReplyText()).startsWith(">")) {
                invalidated(reply); // reports read before the reply came before it on the wire
            }
            String[] lines = reply.split("\n");
            String value = lines[0].equals("$-1") || lines[0].equals("_") ? null : lines[1].strip();
            if (value != null) {
                entries.put(key, value);
            }
            return value;
        }

        /** Reads what has arrived: PING's reply marks the end. */
        void drainPushes() {
            try {
                conn.send("PING\r\n");
                String reply;
                while ((reply = conn.readReplyText()).startsWith(">")) {
                    invalidated(reply);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private void invalidated(String push) {
            String[] lines = push.split("\n");
            invalidations++;
            if (lines[3].equals("_")) {
                entries.clear();
                return;
            }
            for (int i = 5; i < lines.length; i += 2) {
                entries.remove(lines[i].strip());
            }
        }

        @Override
        public void close() throws Exception {
            conn.close();
        }
    }

    @Test
    void resp2RedirectDeliversInvalidationsAsPubSubMessages() throws Exception {
        try (RawClient target = new RawClient(proxy.port()); RawClient reader = new RawClient(proxy.port());
             Jedis writer = proxy.jedis()) {
            target.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nCLIENT ID\r\n");
            assertEquals("+OK", target.readLine());
            String id = target.readLine().substring(1);
            target.send("SUBSCRIBE __redis__:invalidate\r\n");
            assertEquals("*3", target.skipReply());
            reader.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nCLIENT TRACKING ON REDIRECT " + id + "\r\n");
            assertEquals("+OK", reader.readLine());
            assertEquals("+OK", reader.readLine());
            writer.set("ct:redir", "1");
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            reader.send("GET ct:redir\r\nCLIENT GETREDIR\r\n");
            assertEquals("$1", reader.readLine());
            assertEquals("1", reader.readLine());
            assertEquals(":" + id, reader.readLine());
            writer.set("ct:redir", "2");
            for (String line : new String[] {"*3", "$7", "message", "$20", "__redis__:invalidate", "*1", "$8",
                    "ct:redir"}) {
                assertEquals(line, target.readLine());
            }
            target.close(); // the REDIRECT target goes: TRACKINGINFO says so once a change cannot be delivered
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            reader.send("GET ct:redir\r\n");
            assertEquals("$1", reader.readLine());
            assertEquals("2", reader.readLine());
            writer.set("ct:redir", "3");
            Wait.until(Duration.ofSeconds(10), () -> {
                try {
                    reader.send("CLIENT TRACKINGINFO\r\n");
                    return reader.readReplyText().contains("broken_redirect");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "CLIENT TRACKINGINFO reports the broken redirect");
        }
    }

    @Test
    void bcastReportsEveryChangeUnderItsPrefixesButNotItsOwnWithNoloop() throws Exception {
        try (RawClient c = new RawClient(proxy.port()); Jedis writer = proxy.jedis()) {
            c.send("HELLO 3 AUTH default " + ProxyUnderTest.PASSWORD + "\r\n");
            c.skipReply();
            c.send("CLIENT TRACKING ON BCAST PREFIX ct:b: NOLOOP\r\n");
            assertEquals("+OK", c.readLine());
            c.send("SET ct:b:own 1\r\n"); // its own change: not reported back (NOLOOP)
            assertEquals("+OK", c.readLine());
            writer.set("ct:other", "x"); // outside the prefix: not reported
            writer.set("ct:b:theirs", "y");
            for (String line : new String[] {">2", "$10", "invalidate", "*1", "$11", "ct:b:theirs"}) {
                assertEquals(line, c.readLine());
            }
            c.send("CLIENT TRACKINGINFO\r\n");
            String info = c.readReplyText();
            assertTrue(info.contains("bcast") && info.contains("noloop") && info.contains("ct:b:"), info);
            c.send("CLIENT TRACKING ON\r\n"); // Redis's checks, with its wording
            assertEquals("-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
                    + "then re-enabling it with a different mode.", c.readLine());
            c.send("CLIENT TRACKING ON BCAST PREFIX ct:\r\n");
            assertEquals("-ERR Prefix 'ct:' overlaps with an existing prefix 'ct:b:'. Prefixes for a single client "
                    + "must not overlap.", c.readLine());
            c.send("CLIENT TRACKING OFF\r\nCLIENT CACHING yes\r\n");
            assertEquals("+OK", c.readLine());
            assertEquals("-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                    + "OPTOUT mode enabled", c.readLine());
        }
    }

    @Test
    void optinTracksOnlyReadsAfterClientCachingYes() throws Exception {
        try (RawClient c = new RawClient(proxy.port()); Jedis writer = proxy.jedis()) {
            writer.set("ct:in:a", "1");
            writer.set("ct:in:b", "1");
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            c.send("HELLO 3 AUTH default " + ProxyUnderTest.PASSWORD + "\r\n");
            c.skipReply();
            c.send("CLIENT TRACKING ON OPTIN\r\nGET ct:in:a\r\nCLIENT CACHING yes\r\nGET ct:in:b\r\n");
            for (String line : new String[] {"+OK", "$1", "1", "+OK", "$1", "1"}) {
                assertEquals(line, c.readLine());
            }
            writer.set("ct:in:a", "2"); // not tracked: no CLIENT CACHING yes before its read
            writer.set("ct:in:b", "2");
            for (String line : new String[] {">2", "$10", "invalidate", "*1", "$7", "ct:in:b"}) {
                assertEquals(line, c.readLine());
            }
        }
    }
}
