package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisTopology;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** RESP3 clients (HELLO 3) get RESP3 replies, side by side with RESP2 clients on the same proxy. */
class Resp3IT {
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(1);
        topology = fixture.topology();
        proxy = fixture.proxy();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static void expect(RawClient c, String... lines) throws Exception {
        for (String line : lines) {
            assertEquals(line, c.readLine());
        }
    }

    @Test
    void helloThreeSwitchesTheConnectionToResp3() throws Exception {
        try (RawClient c = new RawClient(proxy.port()); RawClient resp2 = new RawClient(proxy.port())) {
            c.send("HELLO 3 AUTH default " + ProxyUnderTest.PASSWORD + " SETNAME r3\r\n");
            assertEquals("%7", c.skipReply()); // server, version, proto, id, mode, role, modules
            c.send("HSET r3:h f v\r\nHGETALL r3:h\r\nGET r3:missing\r\nCLIENT GETNAME\r\n");
            expect(c, ":1", "%1", "$1", "f", "$1", "v", "_", "$2", "r3");
            // a RESP2 client at the same time gets RESP2 forms of the same replies (it did not write, so it
            // reads from a replica: wait until the replica has the hash)
            topology.awaitReplicasCaughtUp(java.time.Duration.ofSeconds(10));
            resp2.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nHGETALL r3:h\r\nGET r3:missing\r\n");
            expect(resp2, "+OK", "*2", "$1", "f", "$1", "v", "$-1");
            c.send("INFO server\r\n");
            assertTrue(c.readLine().startsWith("="), "INFO is a verbatim string in RESP3");
        }
    }

    @Test
    void pubSubPushesAndCommandsWhileSubscribedInResp3() throws Exception {
        try (RawClient sub = new RawClient(proxy.port()); Jedis pub = proxy.jedis()) {
            sub.send("HELLO 3 AUTH default " + ProxyUnderTest.PASSWORD + "\r\n");
            assertEquals("%7", sub.skipReply());
            sub.send("SUBSCRIBE r3:ch\r\n");
            expect(sub, ">3", "$9", "subscribe", "$5", "r3:ch", ":1");
            pub.publish("r3:ch", "hi");
            expect(sub, ">3", "$7", "message", "$5", "r3:ch", "$2", "hi");
            sub.send("SET r3:k 1\r\nGET r3:k\r\n"); // RESP3 allows normal commands while subscribed
            expect(sub, "+OK", "$1", "1");
            sub.send("CLIENT SETNAME r3sub\r\nCLIENT GETNAME\r\n"); // still answered by the proxy, not the master
            expect(sub, "+OK", "$5", "r3sub");
        }
    }

    @Test
    void redisCliInResp3Mode() {
        proxy.redisCli("hset", "r3:cli", "field", "value");
        topology.awaitReplicasCaughtUp(java.time.Duration.ofSeconds(10)); // the next redis-cli reads a replica
        String out = proxy.redisCli("--no-raw", "-3", "hgetall", "r3:cli");
        assertTrue(out.contains("\"field\" => \"value\""), out);
    }

    @Test
    void lettuceWithDefaultsSpeaksResp3() {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(proxy.port())
                .withPassword(ProxyUnderTest.PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(10)).build());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            conn.sync().hset("r3:lettuce", Map.of("a", "1", "b", "2"));
            assertEquals(Map.of("a", "1", "b", "2"), conn.sync().hgetall("r3:lettuce"));
            // the proxy carried Lettuce's RESP3 session on a RESP3 backend connection
            try (Jedis m = topology.jedis(topology.master())) {
                assertTrue(m.clientList().lines().anyMatch(l -> l.contains(" name=resplit ") && l.contains(" resp=3")),
                        m.clientList());
            }
        } finally {
            client.shutdown();
        }
    }
}
