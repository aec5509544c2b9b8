package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/** Scripts loaded through the proxy are usable on every node; EVALSHA never fails just because one node lacks one. */
class ScriptsIT {
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(2);
        topology = fixture.topology();
        proxy = fixture.proxy();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static boolean everyNodeHas(String sha) {
        for (RedisServer node : topology.nodes()) {
            try (Jedis j = topology.jedis(node)) {
                if (!j.scriptExists(sha)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void scriptLoadReachesEveryNodeAndEvalshaRoRunsOnAReplica() {
        String sha;
        try (Jedis j = proxy.jedis()) {
            sha = j.scriptLoad("return 'loaded:' .. ARGV[1]");
        }
        io.resplit.testing.Wait.until(Duration.ofSeconds(5), () -> everyNodeHas(sha), "the script on every node");
        topology.resetStats();
        try (Jedis j = proxy.jedis()) {
            assertEquals("loaded:x", j.sendCommand(Protocol.Command.EVALSHA_RO, sha, "0", "x") instanceof byte[] b
                    ? new String(b) : null);
        }
        assertEquals(0, topology.commandCalls(topology.master(), "evalsha_ro"), "EVALSHA_RO runs on a replica");
    }

    @Test
    void aScriptOnlyTheMasterKnowsIsLoadedOnTheReplicaThatLacksIt() {
        String body = "return redis.call('GET', KEYS[1])";
        try (Jedis j = proxy.jedis()) {
            j.set("sc:key", "value");
            j.eval(body, List.of("sc:key"), List.of()); // EVAL: only the master learns the script
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
        String sha;
        try (Jedis m = topology.jedis(topology.master())) {
            sha = m.scriptLoad(body); // same SHA as the EVAL above
        }
        try (Jedis r = topology.jedis(topology.replicas().get(0))) {
            assertEquals(false, r.scriptExists(sha), "the replica lacks it before");
        }
        for (int i = 0; i < 6; i++) { // fresh connections: reads spread over both replicas
            try (Jedis j = proxy.jedis()) {
                Object out = j.sendCommand(Protocol.Command.EVALSHA_RO, sha, "1", "sc:key");
                assertEquals("value", new String((byte[]) out));
            }
        }
        assertTrue(everyNodeHas(sha), "the proxy loaded it where it was missing");
    }

    @Test
    void scriptFlushReachesEveryNodeAndUnknownShaStillGetsNoscript() {
        String sha;
        try (Jedis j = proxy.jedis()) {
            sha = j.scriptLoad("return 1");
            io.resplit.testing.Wait.until(Duration.ofSeconds(5), () -> everyNodeHas(sha), "loaded everywhere");
            assertEquals("OK", j.scriptFlush());
        }
        io.resplit.testing.Wait.until(Duration.ofSeconds(5), () -> {
            for (RedisServer node : topology.nodes()) {
                try (Jedis n = topology.jedis(node)) {
                    if (n.scriptExists(sha)) {
                        return false;
                    }
                }
            }
            return true;
        }, "flushed everywhere");
        try (Jedis j = proxy.jedis()) {
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.evalsha(sha));
            assertTrue(e.getMessage().startsWith("NOSCRIPT"), e.getMessage());
        }
    }
}
