package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisTopology;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Bad input from one client gets Redis's own error and a closed connection, never a hang, a crash, unbounded
 * memory or trouble for other clients. The proxy runs with small limits so they can be reached quickly.
 */
class BadInputIT {
    private static final String AUTH = "*2\r\n$4\r\nAUTH\r\n$12\r\n" + ProxyUnderTest.PASSWORD + "\r\n";
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(1, "proto-max-bulk-len 1mb", "client-query-buffer-limit 2mb",
                "maxclients 20", "databases 32");
        topology = fixture.topology();
        proxy = fixture.proxy();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static void assertErrorThenClose(String input, String expectedError) throws Exception {
        try (RawClient c = new RawClient(proxy.port())) {
            c.send(AUTH);
            assertEquals("+OK", c.readLine());
            c.send(input);
            assertEquals(expectedError, c.readLine());
            assertTrue(c.closedByServer(), "connection closed after " + expectedError);
        }
        assertProxyStillServes();
    }

    private static void assertProxyStillServes() {
        try (Jedis j = proxy.jedis()) {
            assertEquals("PONG", j.ping());
            j.set("bad:alive", "yes");
            assertEquals("yes", j.get("bad:alive"));
        }
    }

    @Test
    void malformedBulkLength() throws Exception {
        assertErrorThenClose("*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length");
    }

    @Test
    void malformedMultibulkLength() throws Exception {
        assertErrorThenClose("*abc\r\n", "-ERR Protocol error: invalid multibulk length");
        assertErrorThenClose("*2147483648\r\n", "-ERR Protocol error: invalid multibulk length");
    }

    @Test
    void wrongTypeInsideMultibulk() throws Exception {
        assertErrorThenClose("*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'");
    }

    @Test
    void bulkOverProtoMaxBulkLenIsRefusedBeforeItsBytesArrive() throws Exception {
        assertErrorThenClose("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n", "-ERR Protocol error: invalid bulk length");
    }

    @Test
    void unbalancedQuotesInline() throws Exception {
        assertErrorThenClose("SET k \"abc\r\n", "-ERR Protocol error: unbalanced quotes in request");
    }

    @Test
    void requestsBeforeTheBadOneAreAnsweredFirst() throws Exception {
        try (RawClient c = new RawClient(proxy.port())) {
            c.send(AUTH + "*2\r\n$3\r\nGET\r\n$8\r\nbad:none\r\n*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n");
            assertEquals("+OK", c.readLine());
            assertEquals("$-1", c.readLine());
            assertEquals("+PONG", c.readLine());
            assertEquals("-ERR Protocol error: invalid bulk length", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void unauthenticatedClientsGetRedisLimitsAndNoauth() throws Exception {
        try (RawClient c = new RawClient(proxy.port())) {
            c.send("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
            assertEquals("-NOAUTH Authentication required.", c.readLine());
            c.send("*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n");
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", c.readLine());
            c.send("*11\r\n");
            assertEquals("-ERR Protocol error: unauthenticated multibulk length", c.readLine());
            assertTrue(c.closedByServer());
        }
        try (RawClient c = new RawClient(proxy.port())) {
            c.send("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
            assertEquals("-ERR Protocol error: unauthenticated bulk length", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void inlineCommandsWorkLikeTelnet() throws Exception {
        try (RawClient c = new RawClient(proxy.port())) {
            c.send("PING\r\n");
            assertEquals("-NOAUTH Authentication required.", c.readLine());
            c.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nPING\r\nSET bad:inline \"two words\"\r\nGET bad:inline\n");
            assertEquals("+OK", c.readLine());
            assertEquals("+PONG", c.readLine());
            assertEquals("+OK", c.readLine());
            assertEquals("$9", c.readLine());
            assertEquals("two words", c.readLine());
        }
    }

    @Test
    void halfAFrameAndAStallCostsBoundedMemoryAndStallsNobody() throws Exception {
        try (RawClient staller = new RawClient(proxy.port())) {
            staller.send(AUTH);
            assertEquals("+OK", staller.readLine());
            staller.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000\r\nabc");
            assertProxyStillServes(); // other clients are unaffected while it stalls
            staller.timeoutMillis(200);
            assertFalse(staller.closedByServer(), "a stalled client within the limits stays connected");
        }
        try (RawClient flooder = new RawClient(proxy.port())) {
            flooder.send(AUTH);
            assertEquals("+OK", flooder.readLine());
            // every argument within proto-max-bulk-len, but the unfinished request beyond client-query-buffer-limit
            flooder.send("*10\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n");
            byte[] arg = new byte[1000000 + 12];
            byte[] header = "$1000000\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(header, 0, arg, 0, header.length);
            java.util.Arrays.fill(arg, header.length, header.length + 1000000, (byte) 'a');
            arg[arg.length - 2] = '\r';
            arg[arg.length - 1] = '\n';
            try {
                for (int i = 0; i < 3; i++) {
                    flooder.send(arg);
                }
            } catch (java.io.IOException closedWhileSending) {
                // the proxy may close before all of it is sent
            }
            assertEquals("-ERR Protocol error: client query buffer limit exceeded", flooder.readLine());
            assertTrue(flooder.closedByServer());
        }
        assertProxyStillServes();
    }

    @Test
    void maxclientsIsEnforcedWithRedisError() throws Exception {
        List<RawClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                RawClient c = new RawClient(proxy.port());
                open.add(c);
                c.send("*1\r\n$4\r\nPING\r\n");
                assertEquals("-NOAUTH Authentication required.", c.readLine()); // admitted
            }
            try (RawClient extra = new RawClient(proxy.port())) {
                assertEquals("-ERR max number of clients reached", extra.readLine());
                assertTrue(extra.closedByServer());
            }
        } finally {
            for (RawClient c : open) {
                c.close();
            }
        }
        io.resplit.testing.Wait.until(java.time.Duration.ofSeconds(5), () -> {
            try (Jedis j = proxy.jedis()) {
                return "PONG".equals(j.ping());
            } catch (RuntimeException e) {
                return false;
            }
        }, "a slot free again after the clients closed");
    }

    @Test
    void selectIsCheckedAgainstTheMastersDatabaseCount() {
        try (Jedis j = proxy.jedis()) {
            // "databases 32" in the proxy's config, but the master has Redis's default 16
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> j.select(20));
            assertEquals("ERR DB index is out of range", e.getMessage());
            assertEquals("OK", j.select(15));
            j.set("db15", "x");
            assertEquals("x", j.get("db15"));
        }
        assertProxyStillServes();
    }

    @Test
    void nothingAfterQuitIsServed() throws Exception {
        try (RawClient c = new RawClient(proxy.port())) {
            c.send(AUTH + "*1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$9\r\nbad:after\r\n$1\r\nx\r\n");
            assertEquals("+OK", c.readLine());
            assertEquals("+OK", c.readLine());
            assertTrue(c.closedByServer());
        }
        try (Jedis j = proxy.jedis()) {
            assertEquals(null, j.get("bad:after"));
        }
    }

    @Test
    void localCommandsAnswerLikeRedis() {
        try (Jedis j = proxy.jedis()) {
            assertEquals("hi", j.echo("hi"));
            assertEquals("OK", j.clientSetname("app-1"));
            assertEquals("app-1", j.clientGetname());
            assertTrue(j.clientId() > 0);
            assertTrue(j.info().contains("# Proxy"));
            assertTrue(j.info().contains("# Server"));
            assertTrue(j.info("replication").contains("role:master"));
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> j.select(99));
            assertEquals("ERR DB index is out of range", e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> j.sendCommand(redis.clients.jedis.Protocol.Command.HELLO, "4"));
            assertEquals("NOPROTO unsupported protocol version", e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> j.sendCommand(redis.clients.jedis.Protocol.Command.HELLO, "2", "AUTH", "default", "nope"));
            assertEquals("WRONGPASS invalid username-password pair or user is disabled.", e.getMessage());
            Object hello = j.sendCommand(redis.clients.jedis.Protocol.Command.HELLO, "2", "AUTH", "default",
                    ProxyUnderTest.PASSWORD, "SETNAME", "via-hello");
            assertTrue(hello.toString().length() > 0);
            assertEquals("via-hello", j.clientGetname());
            e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> j.sendCommand(redis.clients.jedis.Protocol.Command.GET));
            assertEquals("ERR wrong number of arguments for 'get' command", e.getMessage());
        }
        try (Jedis j = proxy.jedis(); Jedis m = topology.jedis(topology.master())) {
            assertEquals(m.commandCount(), j.commandCount());
        }
    }
}
