package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Client libraries with their default settings (Lettuce opens with {@code HELLO 3 AUTH ...}). */
class ClientLibrariesIT {

    @Test
    void lettuceWithDefaultSettingsConnectsAndReadsItsWrites() {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) {
            RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(proxy.port())
                    .withPassword(ProxyUnderTest.PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(10)).build();
            RedisClient client = RedisClient.create(uri);
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                assertEquals("OK", conn.sync().set("lettuce:key", "värde"));
                assertEquals("värde", conn.sync().get("lettuce:key"));
                assertEquals("PONG", conn.sync().ping());
                conn.sync().select(2);
                conn.sync().set("lettuce:db2", "two");
                assertEquals("two", conn.sync().get("lettuce:db2"));
            } finally {
                client.shutdown();
            }
        }
    }
}
