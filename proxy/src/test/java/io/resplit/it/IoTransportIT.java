package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.resplit.config.ConfigParser;
import io.resplit.net.Transport;
import io.resplit.testing.FreePorts;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
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
                : Epoll.isAvailable() ? "epoll" : "nio";
        assertEquals(expected, Transport.named("auto").name());
        try (ProxyUnderTest proxy = ProxyUnderTest.start(topology); Jedis j = proxy.jedis()) {
            assertTrue(j.info("proxy").contains("transport:" + expected + "\r\n"), "INFO proxy names auto's choice");
        }
    }

    /**
     * io_uring loads but its event loops cannot start (here: a ring size Netty refuses, set for that JVM alone;
     * in the field: a kernel before 5.12 counting the rings against a 64 KiB RLIMIT_MEMLOCK): auto runs epoll,
     * saying why, rather than fail to start.
     */
    @Test
    void autoStepsDownToEpollWhenIoUringLoopsCannotStart() throws Exception {
        Assumptions.assumeTrue(IoUring.isAvailable() && Epoll.isAvailable(),
                "needs io_uring and epoll");
        int port = FreePorts.next();
        Path log = Files.createTempFile("resplit-fallback", ".log");
        Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dio.netty.iouring.ringSize=100000", "-jar", "target/resplit.jar",
                "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--master", "127.0.0.1", Integer.toString(topology.master().port()),
                "--masterauth", topology.password(), "--requirepass", ProxyUnderTest.PASSWORD)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Wait.until(Duration.ofSeconds(30), () -> read(log).contains("resplit started") || !proxy.isAlive(),
                    "the proxy started or stopped");
            String out = read(log);
            assertTrue(out.contains("io_uring's event loops could not start (cqSize: 100000"), out); // the reason
            assertTrue(out.contains("resplit started: transport epoll"), out);
            try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", port),
                    DefaultJedisClientConfig.builder().password(ProxyUnderTest.PASSWORD).build())) {
                assertEquals("OK", j.set("iot:fallback", "v"));
                assertTrue(j.info("proxy").contains("transport:epoll\r\n"));
            }
        } finally {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
            proxy.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void anUnknownTransportIsAConfigError() {
        Exception e = assertThrows(Exception.class, () -> ConfigParser.fromArgs(new String[] {"--io-transport", "kqueue"}));
        assertTrue(e.getMessage().contains("io-transport"), e.getMessage());
        assertEquals("nio", Transport.named("NIO").name());
    }
}
