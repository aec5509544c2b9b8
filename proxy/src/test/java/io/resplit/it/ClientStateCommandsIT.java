package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The CLIENT commands that act on other connections or on the connection's whole state: CLIENT UNBLOCK of a
 * client blocked through the proxy, RESET, and CLIENT PAUSE / UNPAUSE (admin commands) on the master.
 */
class ClientStateCommandsIT {
    private static ProxyFixture fixture;
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(1, "allow-admin-commands client|pause client|unpause");
        topology = fixture.topology();
        proxy = fixture.proxy();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static RawClient authenticated() throws Exception {
        RawClient c = new RawClient(proxy.port());
        c.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\n");
        assertEquals("+OK", c.readLine());
        return c;
    }

    private static long blockedClients() {
        try (Jedis master = topology.jedis(topology.master())) {
            String info = master.info("clients");
            for (String line : info.split("\r?\n")) {
                if (line.startsWith("blocked_clients:")) {
                    return Long.parseLong(line.substring("blocked_clients:".length()).trim());
                }
            }
        }
        throw new IllegalStateException("no blocked_clients in INFO clients");
    }

    @Test
    void clientUnblockReleasesAClientBlockedThroughTheProxyWithTimeoutOrError() throws Exception {
        try (RawClient blocked = authenticated(); RawClient other = authenticated()) {
            blocked.send("CLIENT ID\r\n");
            String id = blocked.readLine().substring(1);
            blocked.send("BLPOP csc:unblock:list 0\r\n");
            Wait.until(Duration.ofSeconds(10), () -> blockedClients() == 1, "the BLPOP blocks on the master");
            other.send("CLIENT UNBLOCK " + id + "\r\n");
            assertEquals(":1", other.readLine());
            assertEquals("*-1", blocked.readLine(), "unblocked as by its timeout");

            blocked.send("BLPOP csc:unblock:list 0\r\n");
            Wait.until(Duration.ofSeconds(10), () -> blockedClients() == 1, "blocked again");
            other.send("CLIENT UNBLOCK " + id + " ERROR\r\n");
            assertEquals(":1", other.readLine());
            assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK", blocked.readLine());

            other.send("CLIENT UNBLOCK " + id + "\r\nCLIENT UNBLOCK 999999\r\nCLIENT UNBLOCK " + id + " NOW\r\n"
                    + "CLIENT UNBLOCK x\r\n");
            assertEquals(":0", other.readLine(), "not blocked any more");
            assertEquals(":0", other.readLine(), "no such client");
            assertEquals("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR", other.readLine());
            assertEquals("-ERR value is not an integer or out of range", other.readLine());
            blocked.send("PING\r\n");
            assertEquals("+PONG", blocked.readLine(), "the unblocked client goes on");
        }
    }

    @Test
    void resetLeavesMultiSubscriptionsAndSelectAndAnswersReset() throws Exception {
        try (RawClient c = authenticated(); Jedis direct = topology.jedis(topology.master())) {
            c.send("SELECT 3\r\nCLIENT SETNAME before-reset\r\nMULTI\r\nSET csc:reset:k 1\r\nRESET\r\n");
            for (String line : new String[] {"+OK", "+OK", "+OK", "+QUEUED", "+RESET"}) {
                assertEquals(line, c.readLine());
            }
            direct.select(3);
            assertEquals(null, direct.get("csc:reset:k"), "the transaction was discarded, not run");
            // RESET makes the connection the default user's, who needs the password here
            c.send("GET csc:reset:k\r\nAUTH " + ProxyUnderTest.PASSWORD + "\r\nCLIENT GETNAME\r\nSET csc:reset:k 0\r\n");
            assertTrue(c.readLine().startsWith("-NOAUTH"));
            assertEquals("+OK", c.readLine());
            assertEquals("$-1", c.readLine(), "the name is cleared");
            assertEquals("+OK", c.readLine());
            direct.select(0);
            assertEquals("0", direct.get("csc:reset:k"), "back in database 0");

            c.send("HELLO 3\r\n");
            c.skipReply();
            c.send("SUBSCRIBE csc:reset:ch\r\n");
            assertEquals(">3", c.skipReply());
            c.send("RESET\r\nAUTH " + ProxyUnderTest.PASSWORD + "\r\nGET csc:reset:k\r\n");
            assertEquals("+RESET", c.readLine());
            assertEquals("+OK", c.readLine());
            assertEquals("$1", c.readLine(), "RESP2 again, and no longer subscribed");
            assertEquals("0", c.readLine());
        }
    }

    @Test
    void clientPauseAllHoldsCommandsWithoutTheMasterBeingTakenForHung() throws Exception {
        try (RawClient admin = authenticated(); RawClient c = authenticated()) {
            admin.send("CLIENT PAUSE 1500 ALL\r\n");
            assertEquals("+OK", admin.readLine());
            long start = System.nanoTime();
            c.send("SET csc:pause:k 1\r\n");
            assertEquals("+OK", c.readLine(), "held by the pause, then run: not failed as a hung master");
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMs >= 1000, "the write waited for the pause: " + waitedMs + " ms");
            admin.send("CLIENT PAUSE 60000 WRITE\r\nCLIENT UNPAUSE\r\n");
            assertEquals("+OK", admin.readLine());
            assertEquals("+OK", admin.readLine());
            c.send("SET csc:pause:k 2\r\n");
            assertEquals("+OK", c.readLine(), "UNPAUSE ended the pause");
        }
    }
    /**
     * A backend connection opened during a CLIENT PAUSE sent through the proxy (here for another database) waits
     * for the pause with its handshake, longer than connect-timeout (2 s), and the master is not taken for down.
     */
    @Test
    void aConnectionOpenedDuringAPauseWaitsForItWithoutTheMasterBeingTakenForDown() throws Exception {
        io.resplit.backend.BackendNode master = proxy.proxy().context().topology().current().master();
        long downBefore = master.downEvents();
        try (RawClient admin = authenticated(); RawClient c = authenticated()) {
            admin.send("CLIENT PAUSE 3500 ALL\r\n");
            assertEquals("+OK", admin.readLine());
            long start = System.nanoTime();
            c.send("SELECT 7\r\nSET csc:pause:db7 1\r\n");
            assertEquals("+OK", c.readLine());
            assertEquals("+OK", c.readLine(), "run once the pause is over, on a connection opened during it");
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMs >= 2500, "the write waited for the pause: " + waitedMs + " ms");
            assertEquals(downBefore, master.downEvents(), "the master was never marked down: "
                    + master.state().reason());
            assertTrue(master.isUp());
        }
    }
}
