package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * client-output-buffer-limit: a client that pipelines large reads and does not read the replies is closed once
 * they pass the hard limit, as Redis closes it, and everyone else is served on.
 */
class OutputBufferLimitIT {
    private static final int MIB = 1024 * 1024;

    @Test
    void aClientThatDoesNotReadIsClosedAtTheHardLimit() throws Exception {
        try (RedisTopology topology = RedisTopology.start(0, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "client-output-buffer-limit normal 16mb 8mb 60");
             Jedis other = proxy.jedis()) {
            try (Jedis master = topology.jedis(topology.master())) {
                master.set("big".getBytes(), new byte[MIB]);
            }
            try (RawClient greedy = new RawClient(proxy.port())) {
                StringBuilder burst = new StringBuilder("AUTH " + ProxyUnderTest.PASSWORD + "\r\n");
                for (int i = 0; i < 200; i++) {
                    burst.append("GET big\r\n");
                }
                Wait.until(Duration.ofSeconds(10), () -> proxy.proxy().context().connectedClients() == 2,
                        "the proxy to accept the client");
                greedy.send(burst.toString()); // 200 MiB of replies, and nothing read
                Wait.until(Duration.ofSeconds(20), () -> proxy.proxy().context().connectedClients() == 1,
                        "the proxy to close the client that does not read");
                assertEquals("PONG", other.ping(), "other clients are served on");
                assertTrue(readsFewerThan(greedy, 200), "the connection ended before all 200 replies");
            }
            assertEquals(MIB, other.get("big".getBytes()).length);
        }
    }

    @Test
    void withoutALimitTheSameClientGetsEveryReply() throws Exception {
        try (RedisTopology topology = RedisTopology.start(0, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) { // Redis's default: normal 0 0 0
            try (Jedis master = topology.jedis(topology.master())) {
                master.set("big".getBytes(), new byte[MIB / 16]);
            }
            try (RawClient reader = new RawClient(proxy.port())) {
                StringBuilder burst = new StringBuilder("AUTH " + ProxyUnderTest.PASSWORD + "\r\n");
                for (int i = 0; i < 200; i++) {
                    burst.append("GET big\r\n");
                }
                reader.send(burst.toString());
                assertEquals(201, replies(reader, 201));
            }
        }
    }

    /**
     * A client with thousands of requests unanswered is not read from until they drain: its requests wait in its
     * socket, not in the proxy. The master holds every write (CLIENT PAUSE WRITE), so nothing drains meanwhile.
     */
    @Test
    void aClientWithThousandsOfRequestsPendingIsReadNoFurther() throws Exception {
        int sent = 100_000;
        try (RedisTopology topology = RedisTopology.start(0, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology);
             Jedis master = topology.jedis(topology.master());
             RawClient greedy = new RawClient(proxy.port())) {
            master.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "PAUSE", "20000", "WRITE");
            try {
                byte[] burst = ("AUTH " + ProxyUnderTest.PASSWORD + "\r\n" + "SET k v\r\n".repeat(sent))
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                Thread writer = new Thread(() -> {
                    try {
                        greedy.send(burst); // blocks once the proxy stops reading and the socket buffers are full
                    } catch (IOException closedAtTheEnd) {
                        // the test closed the connection
                    }
                });
                writer.setDaemon(true);
                writer.start();
                Wait.until(Duration.ofSeconds(10), () -> proxy.proxy().context().requestsInFlight() >= 4096,
                        "the client's writes to wait on the paused master");
                // read on, it would take the rest within a second or two (this machine reads ~50,000 a second)
                AssertionError stillBounded = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                        () -> Wait.until(Duration.ofSeconds(4),
                                () -> proxy.proxy().context().requestsInFlight() > 30_000,
                                "the proxy to read far past its pause point"));
                assertTrue(proxy.proxy().context().requestsInFlight() <= 30_000, stillBounded.getMessage());
            } finally {
                master.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "UNPAUSE");
            }
        }
    }

    /** Reads replies (AUTH's first) until the connection ends; true if fewer than {@code n} GET replies came. */
    private static boolean readsFewerThan(RawClient c, int n) throws IOException {
        return replies(c, n + 1) < n + 1;
    }

    private static int replies(RawClient c, int max) throws IOException {
        int got = 0;
        try {
            while (got < max) {
                c.skipReply();
                got++;
            }
        } catch (IOException closed) {
            // the proxy closed the connection
        }
        return got;
    }
}
