package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/** MULTI/EXEC/DISCARD/WATCH/UNWATCH through the proxy behave as on one Redis. */
class TransactionsIT {
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
    void multiExecRunsAtomicallyOnTheMaster() {
        try (Jedis j = proxy.jedis()) {
            j.del("tx:counter");
            topology.resetStats();
            Transaction t = j.multi();
            t.set("tx:counter", "10");
            t.incr("tx:counter");
            t.get("tx:counter");
            assertEquals(List.of("OK", 11L, "11"), t.exec());
        }
        assertEquals(1, topology.commandCalls(topology.master(), "exec"));
        assertEquals(1, topology.commandCalls(topology.master(), "get"), "a read inside MULTI runs on the master");
    }

    @Test
    void watchConflictFromAnotherConnectionMakesExecReturnNil() {
        try (Jedis a = proxy.jedis(); Jedis b = proxy.jedis()) {
            a.set("tx:watched", "1");
            assertEquals("OK", a.watch("tx:watched"));
            b.set("tx:watched", "2");
            Transaction t = a.multi();
            t.set("tx:watched", "from-a");
            assertNull(t.exec());
            assertEquals("2", a.get("tx:watched"));
            // and without a conflict the same sequence commits
            a.watch("tx:watched");
            Transaction t2 = a.multi();
            t2.set("tx:watched", "from-a");
            assertEquals(List.of("OK"), t2.exec());
            assertEquals("from-a", a.get("tx:watched"));
        }
    }

    @Test
    void aQueueingErrorAbortsExecWithExecabort() {
        try (Jedis j = proxy.jedis()) {
            assertEquals("OK", status(j.sendCommand(Protocol.Command.MULTI)));
            assertEquals("QUEUED", status(j.sendCommand(Protocol.Command.SET, "tx:abort", "x")));
            JedisDataException e = assertThrows(JedisDataException.class,
                    () -> j.sendCommand(Protocol.Command.SET, "tx:abort")); // wrong arity: the master refuses
            assertTrue(e.getMessage().startsWith("ERR wrong number of arguments"), e.getMessage());
            e = assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.EXEC));
            assertEquals("EXECABORT Transaction discarded because of previous errors.", e.getMessage());
            assertNull(j.get("tx:abort"));
        }
    }

    @Test
    void aCommandTheProxyRefusesInsideMultiAlsoAbortsExec() {
        try (Jedis j = proxy.jedis()) {
            assertEquals("OK", status(j.sendCommand(Protocol.Command.MULTI)));
            assertEquals("QUEUED", status(j.sendCommand(Protocol.Command.SET, "tx:select", "x")));
            assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.SELECT, "1"));
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.EXEC));
            assertEquals("EXECABORT Transaction discarded because of previous errors.", e.getMessage());
            assertNull(j.get("tx:select"));
            assertEquals("PONG", j.ping(), "the connection is usable afterwards");
        }
    }

    @Test
    void pingInsideMultiIsQueuedAndAnsweredByExec() {
        try (Jedis j = proxy.jedis()) {
            assertEquals("OK", status(j.sendCommand(Protocol.Command.MULTI)));
            assertEquals("QUEUED", status(j.sendCommand(Protocol.Command.PING)));
            List<?> result = (List<?>) j.sendCommand(Protocol.Command.EXEC);
            assertEquals("PONG", status(result.get(0)));
        }
    }

    @Test
    void errorsWithoutMultiMatchRedis() {
        try (Jedis j = proxy.jedis()) {
            assertEquals("ERR EXEC without MULTI",
                    assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.EXEC)).getMessage());
            assertEquals("ERR DISCARD without MULTI",
                    assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.DISCARD))
                            .getMessage());
            assertEquals("OK", j.unwatch());
            assertEquals("OK", status(j.sendCommand(Protocol.Command.MULTI)));
            assertEquals("ERR MULTI calls can not be nested",
                    assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.MULTI)).getMessage());
            assertEquals("OK", status(j.sendCommand(Protocol.Command.DISCARD)));
        }
    }

    @Test
    void pipelinedTransactionKeepsOrderWithSurroundingCommands() throws Exception {
        try (io.resplit.testing.RawClient c = new io.resplit.testing.RawClient(proxy.port())) {
            c.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nSET tx:pipe 1\r\nMULTI\r\nINCR tx:pipe\r\n"
                    + "INCR tx:pipe\r\nEXEC\r\nGET tx:pipe\r\nSET tx:pipe 100\r\nGET tx:pipe\r\n");
            List<String> expected = List.of("+OK", "+OK", "+OK", "+QUEUED", "+QUEUED", "*2", ":2", ":3", "$1", "3",
                    "+OK", "$3", "100");
            for (String line : expected) {
                assertEquals(line, c.readLine());
            }
        }
    }

    @Test
    void readsBeforeWatchUseReplicasAndTheConnectionIsUnpinnedAfterwards() {
        try (Jedis m = topology.jedis(topology.master())) {
            m.set("tx:read", "v");
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
        try (Jedis j = proxy.jedis()) {
            topology.resetStats();
            assertEquals("v", j.get("tx:read"));
            assertEquals(0, topology.commandCalls(topology.master(), "get"), "a read before WATCH uses a replica");
            j.watch("tx:read");
            assertEquals("v", j.get("tx:read"));
            assertEquals(1, topology.commandCalls(topology.master(), "get"), "from WATCH on: the master");
            j.unwatch();
            topology.resetStats();
            // WATCH counts as a write for read-your-writes: once the fence passes, reads return to replicas
            Wait.until(Duration.ofSeconds(10), () -> {
                j.get("tx:read");
                return topology.commandCalls(topology.replicas().get(0), "get")
                        + topology.commandCalls(topology.replicas().get(1), "get") > 0;
            }, "reads from replicas again after UNWATCH");
        }
    }

    @Test
    void manyTransactionsReuseAFewDedicatedConnections() {
        try (Jedis j = proxy.jedis(); Jedis m = topology.jedis(topology.master())) {
            Transaction first = j.multi(); // the pool of ready connections is full after one (blocking-pool-size)
            first.incr("tx:reuse");
            first.exec();
            int loops = proxy.proxy().context().runtime().config().effectiveIoThreads();
            Wait.until(java.time.Duration.ofSeconds(10), () -> dedicated(m) >= 2L * loops, "the ready pool");
            long before = dedicated(m);
            for (int i = 0; i < 200; i++) {
                Transaction t = j.multi();
                t.incr("tx:reuse");
                t.exec();
            }
            long after = dedicated(m);
            assertTrue(after <= before + 1, "dedicated connections: " + before + " before 200 transactions, "
                    + after + " after");
        }
    }

    private static long dedicated(Jedis master) {
        return master.clientList().lines().filter(l -> l.contains(" name=resplit-dedicated ")).count();
    }

    @Test
    void losingThePinnedConnectionBetweenCommandsEndsTheClientConnection() {
        try (Jedis j = proxy.jedis(); Jedis m = topology.jedis(topology.master())) {
            j.clientSetname("pin-lost");
            assertEquals("OK", j.watch("tx:lost"));
            // kill the proxy's pinned connection on the master (the one whose last command was WATCH) while
            // nothing is in flight on it
            String line = m.clientList().lines()
                    .filter(l -> l.contains(" name=resplit-dedicated ") && l.contains(" cmd=watch "))
                    .findFirst().orElseThrow(() -> new AssertionError("no pinned connection: " + m.clientList()));
            String id = line.substring(3, line.indexOf(' '));
            assertEquals(1L, m.clientKill(redis.clients.jedis.params.ClientKillParams.clientKillParams().id(id)));
            Wait.until(Duration.ofSeconds(5), () -> {
                try {
                    j.sendCommand(Protocol.Command.MULTI);
                    j.sendCommand(Protocol.Command.DISCARD);
                    return false;
                } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
                    return true; // the client lost its connection, as with a lost WATCH on one Redis
                }
            }, "the client connection closed instead of running unwatched");
        }
    }

    private static String status(Object reply) {
        return reply instanceof byte[] b ? new String(b) : String.valueOf(reply);
    }
}
