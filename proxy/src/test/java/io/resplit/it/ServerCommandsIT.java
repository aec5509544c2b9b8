package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** ROLE, WAIT, CLIENT subcommands, MONITOR, admin commands and per-node reads through the proxy. */
class ServerCommandsIT {
    private static final String AUTH = "AUTH " + ProxyUnderTest.PASSWORD + "\r\n";
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(2);
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
    void rolePresentsTheProxyAsAMaster() {
        try (Jedis j = proxy.jedis()) {
            List<Object> role = j.role();
            assertEquals("master", String.valueOf(role.get(0)));
            assertEquals(List.of(), role.get(2));
        }
    }

    @Test
    void waitCountsReplicasThatHaveTheClientsWrites() {
        try (Jedis j = proxy.jedis()) {
            assertEquals(2L, j.waitReplicas(2, 0), "no writes yet: every healthy replica counts");
            j.set("wait:k", "v");
            assertEquals(2L, j.waitReplicas(2, 5000));
            RedisServer paused = topology.replicas().get(1);
            paused.pause();
            try {
                j.set("wait:k", "v2");
                long start = System.nanoTime();
                long acked = j.waitReplicas(2, 300);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(1L, acked, "the paused replica cannot have the write");
                assertTrue(ms >= 250, "WAIT waited its timeout: " + ms + " ms");
            } finally {
                paused.resume();
            }
            topology.awaitReplicationUp(Duration.ofSeconds(20));
        }
    }

    /**
     * A write held behind a blocking command has not run: WAIT pipelined after it waits for it to go out (Redis
     * runs WAIT only after the commands before it), then counts the replicas that have it: with one replica
     * stopped, one. (It counted at once before, when the client had written nothing yet: two.)
     */
    @Test
    void waitAfterAWriteHeldBehindABlockingCommandCountsThatWrite() throws Exception {
        RedisServer paused = topology.replicas().get(1);
        try (RawClient c = new RawClient(proxy.port())) {
            c.timeoutMillis(10_000);
            paused.pause();
            long start = System.nanoTime();
            try {
                c.send(AUTH + "BLPOP wait:q 1\r\nSET wait:held v\r\nWAIT 2 1500\r\n");
                assertEquals("+OK", c.readLine());
                assertEquals("*-1", c.readLine()); // BLPOP timed out after a second
                assertEquals("+OK", c.readLine());
                assertEquals(":1", c.readLine(), "the stopped replica cannot have the SET that ran after the BLPOP");
            } finally {
                paused.resume();
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 2400, "WAIT's timeout ran from when the SET went out, after the BLPOP: " + ms + " ms");
        }
        topology.awaitReplicationUp(Duration.ofSeconds(20));
    }

    @Test
    void clientListInfoAndKill() {
        try (Jedis a = proxy.jedis(); Jedis b = proxy.jedis()) {
            a.clientSetname("listed-a");
            b.clientSetname("listed-b");
            long bId = b.clientId();
            String list = a.clientList();
            assertTrue(list.contains("name=listed-a") && list.contains("name=listed-b"), list);
            assertTrue(list.contains("id=" + bId + " "), list);
            assertTrue(a.clientInfo().contains("name=listed-a"), a.clientInfo());
            JedisDataException refused = assertThrows(JedisDataException.class, () -> a.clientKill(
                    redis.clients.jedis.params.ClientKillParams.clientKillParams().id(Long.toString(bId))));
            assertTrue(refused.getMessage().contains("allow-admin-commands client|kill"), refused.getMessage());
            assertEquals("PONG", b.ping(), "another application's connection is not cut off by default");
        }
        try (ProxyUnderTest allowing = ProxyUnderTest.start(topology, "allow-admin-commands client|kill");
             Jedis a = allowing.jedis(); Jedis b = allowing.jedis()) {
            long bId = b.clientId();
            assertEquals(1L, a.clientKill(redis.clients.jedis.params.ClientKillParams.clientKillParams().id(
                    Long.toString(bId))));
            assertThrows(JedisConnectionException.class, b::ping);
            assertEquals("PONG", a.ping());
        }
    }

    @Test
    void clientReplyOffOnSkip() throws Exception {
        try (RawClient c = new RawClient(proxy.port())) {
            c.send(AUTH + "CLIENT REPLY OFF\r\nSET rep:a 1\r\nCLIENT REPLY ON\r\nGET rep:a\r\n"
                    + "CLIENT REPLY SKIP\r\nSET rep:a 2\r\nGET rep:a\r\n");
            assertEquals("+OK", c.readLine()); // AUTH
            assertEquals("+OK", c.readLine()); // CLIENT REPLY ON
            assertEquals("$1", c.readLine());
            assertEquals("1", c.readLine());
            assertEquals("$1", c.readLine()); // the SET after SKIP was not answered
            assertEquals("2", c.readLine());
        }
    }

    @Test
    void monitorStreamsTheMastersFeed() throws Exception {
        try (RawClient monitor = new RawClient(proxy.port()); Jedis j = proxy.jedis()) {
            monitor.send(AUTH + "MONITOR\r\n");
            assertEquals("+OK", monitor.readLine());
            assertEquals("+OK", monitor.readLine());
            j.set("mon:key", "seen");
            Wait.until(Duration.ofSeconds(10), () -> {
                try {
                    return monitor.readLine().toLowerCase(java.util.Locale.ROOT)
                            .contains("\"set\" \"mon:key\" \"seen\"");
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }, "the SET in the MONITOR feed");
        }
    }

    @Test
    void adminCommandsAreRefusedNamingTheDirectiveAndAllowedWhenListed() {
        try (Jedis j = proxy.jedis()) {
            JedisDataException e = assertThrows(JedisDataException.class,
                    () -> j.configSet("maxmemory-policy", "noeviction"));
            assertTrue(e.getMessage().contains("allow-admin-commands"), e.getMessage());
            assertEquals(List.of("maxmemory-policy", "noeviction"), flat(j.configGet("maxmemory-policy")));
            e = assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.CLIENT, "PAUSE", "10"));
            assertTrue(e.getMessage().contains("allow-admin-commands client|pause"), e.getMessage());
        }
        try (ProxyUnderTest allowing = ProxyUnderTest.start(topology, "allow-admin-commands config|set");
             Jedis j = allowing.jedis()) {
            assertEquals("OK", j.configSet("maxmemory-policy", "noeviction"));
            assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.SAVE)); // not listed
        }
    }

    @Test
    void keyIntrospectionReadsUseReplicasAndConfigGetTheMaster() {
        try (Jedis m = topology.jedis(topology.master())) {
            m.set("intro:k", "12345");
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
        topology.resetStats();
        try (Jedis j = proxy.jedis()) {
            assertEquals("int", j.objectEncoding("intro:k"));
            assertTrue(j.memoryUsage("intro:k") > 0);
            assertEquals(-1L, j.ttl("intro:k"));
            j.configGet("maxclients");
        }
        long onReplicas = 0;
        for (RedisServer r : topology.replicas()) {
            onReplicas += topology.commandCalls(r, "object|encoding") + topology.commandCalls(r, "memory|usage")
                    + topology.commandCalls(r, "ttl");
        }
        assertEquals(3, onReplicas);
        assertEquals(1, topology.commandCalls(topology.master(), "config|get"));
    }

    @Test
    void configGetNeverShowsTheBackendsCredentials() throws Exception {
        // the nodes' password is the backends' masterauth; clients know only the proxy's requirepass
        try (Jedis j = proxy.jedis()) {
            for (String pattern : List.of("masterauth", "requirepass", "masteruser", "*", "*auth*", "*pass*")) {
                java.util.Map<String, String> got = j.configGet(pattern);
                assertTrue(got.keySet().stream().noneMatch(SECRET_PARAMETERS::contains), pattern + " -> " + got.keySet());
                assertTrue(got.values().stream().noneMatch(v -> v.contains(topology.password())), pattern);
            }
            assertTrue(j.configGet("*").size() > 100, "every other parameter is still there");
            assertEquals(List.of("maxmemory-policy", "noeviction"), flat(j.configGet("maxmemory-policy")));
        }
        try (RawClient c = new RawClient(proxy.port())) { // RESP3: the reply is a map, filtered the same way
            c.send(AUTH + "HELLO 3\r\n");
            c.skipReply();
            c.skipReply();
            c.send("CONFIG GET masterauth\r\nCONFIG GET maxmemory-policy\r\n");
            assertEquals("%0", c.skipReply());
            assertEquals("%1", c.skipReply());
        }
    }

    private static final java.util.Set<String> SECRET_PARAMETERS = java.util.Set.of("requirepass", "masterauth",
            "masteruser", "tls-key-file-pass", "tls-client-key-file-pass");

    private static List<String> flat(java.util.Map<String, String> m) {
        return m.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toList();
    }
}
