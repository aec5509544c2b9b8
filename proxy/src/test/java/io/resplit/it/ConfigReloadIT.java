package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.LoadVerifier;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** CONFIG GET/SET and RELOAD on the admin console, under load, without dropping a client connection. */
class ConfigReloadIT {

    @Test
    void runtimeSettingsAndReloadUnderLoad() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret")) {
            RedisServer first = topology.replicas().get(0);
            RedisServer second = topology.replicas().get(1);
            try (ProxyUnderTest proxy = ProxyUnderTest.start(topology, "replica 127.0.0.1 " + first.port())) {
                LoadVerifier load = new LoadVerifier(10, proxy::jedis, 50, 120);
                assertTrue(proxy.admin("CONFIG", "GET", "read-*").contains("read-from replicas"));
                assertTrue(proxy.admin("CONFIG", "SET", "port", "1").contains("cannot change while the proxy runs"));
                assertTrue(proxy.admin("CONFIG", "SET", "read-from", "sometimes").contains("invalid read-from"));

                assertEquals("OK", proxy.admin("CONFIG", "SET", "read-from", "master"));
                topology.resetStats();
                try (Jedis j = proxy.jedis()) {
                    j.get("cr:any");
                }
                assertEquals(0, topology.commandCalls(first, "get"), "read-from master: no replica reads");

                // edit the file: a second replica, reads back to replicas, a new client password
                String conf = Files.readString(proxy.configFile())
                        .replace("requirepass " + ProxyUnderTest.PASSWORD, "requirepass rotated-secret")
                        + "replica 127.0.0.1 " + second.port() + "\nread-from replicas\nport 1\n";
                Files.writeString(proxy.configFile(), conf);
                String out = proxy.admin("RELOAD");
                assertTrue(out.contains("read-from") && out.contains("requirepass")
                        && out.contains("replica added 127.0.0.1:" + second.port()), out);
                assertTrue(out.contains("needs a restart: [port]"), out);
                assertTrue(proxy.admin("BACKENDS").contains("addr=127.0.0.1:" + second.port()));

                try (Jedis fresh = new Jedis(new HostAndPort("127.0.0.1", proxy.port()),
                        DefaultJedisClientConfig.builder().password("rotated-secret").build())) {
                    assertEquals("PONG", fresh.ping());
                }
                assertThrows(JedisDataException.class, () -> {
                    try (Jedis old = proxy.jedis()) {
                        old.ping();
                    }
                }, "the old password no longer works for new connections");

                long before = load.writes();
                Wait.until(Duration.ofSeconds(20), () -> load.writes() > before + 200, "load going on");
                LoadVerifier.Report report = load.stop();
                assertEquals(List.of(), report.errors(), "existing connections keep working");
                assertEquals(0, report.droppedConnections());
            }
        }
    }
}
