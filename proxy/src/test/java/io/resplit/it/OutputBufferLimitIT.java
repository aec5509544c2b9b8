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
