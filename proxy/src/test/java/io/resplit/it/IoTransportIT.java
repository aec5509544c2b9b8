package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.uring.IoUring;
import io.resplit.config.ConfigParser;
import io.resplit.net.Transport;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/** io-transport: the proxy's data path over each transport, and a native one that cannot load refused clearly. */
class IoTransportIT {
    private static RedisTopology topology;

    @BeforeAll
    static void start() {
        topology = RedisTopology.start(1, "node-secret");
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void writesReadsAndPipelinesOverTheTransport(String transport) {
        if (transport.equals("io_uring") && !IoUring.isAvailable()) {
            // this kernel (or its seccomp profile) has no io_uring: asking for it must stop the start, saying why
            Exception e = assertThrows(Exception.class, () -> ProxyUnderTest.start(topology, "io-transport io_uring"));
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            assertTrue(root.getMessage().contains("io-transport io_uring: unavailable"), root.getMessage());
            return;
        }
        try (ProxyUnderTest proxy = ProxyUnderTest.start(topology, "io-transport " + transport);
             Jedis j = proxy.jedis()) {
            assertEquals("OK", j.set("iot:" + transport, "v"));
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            assertEquals("v", j.get("iot:" + transport));
            Pipeline p = j.pipelined();
            for (int i = 0; i < 1000; i++) {
                p.incr("iot:counter:" + transport);
            }
            List<Object> replies = p.syncAndReturnAll();
            assertEquals(1000L, replies.get(999));
            assertTrue(j.info("proxy").contains(transport), "INFO proxy names the transport");
            if (!transport.equals("nio")) { // the failover console stays on its unix socket (NIO has none)
                assertTrue(proxy.admin("STATUS").contains("master"), "admin socket answers over " + transport);
            }
        }
    }

    @Test
    void autoTakesIoUringThenEpollThenNio() {
        String expected = IoUring.isAvailable() ? "io_uring"
                : io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio";
        assertEquals(expected, Transport.named("auto").name());
        try (ProxyUnderTest proxy = ProxyUnderTest.start(topology); Jedis j = proxy.jedis()) {
            assertTrue(j.info("proxy").contains("transport:" + expected + "\r\n"), "INFO proxy names auto's choice");
        }
    }

    @Test
    void anUnknownTransportIsAConfigError() {
        Exception e = assertThrows(Exception.class, () -> ConfigParser.fromArgs(new String[] {"--io-transport", "kqueue"}));
        assertTrue(e.getMessage().contains("io-transport"), e.getMessage());
        assertEquals("nio", Transport.named("NIO").name());
    }
}
