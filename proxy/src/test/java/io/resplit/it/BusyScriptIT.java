package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A runaway script on the master (an application bug) does not wedge the proxy: other clients get BUSY at once,
 * as from Redis, SCRIPT KILL through the proxy reaches the master at once and ends it, reads go on from the
 * replica, and everything works again afterwards.
 */
class BusyScriptIT {

    @Test
    void aRunawayScriptIsKilledThroughTheProxyAndTheProxyRecovers() throws Exception {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology);
             Jedis killer = proxy.jedis();
             Jedis direct = topology.jedis(topology.master())) {
            direct.configSet("busy-reply-threshold", "100"); // Redis answers BUSY after 100 ms, not 5 s
            CompletableFuture<String> runaway = CompletableFuture.supplyAsync(() -> {
                try (Jedis app = proxy.jedis()) {
                    return String.valueOf(app.eval("while true do end"));
                } catch (JedisDataException e) {
                    return e.getMessage();
                }
            });
            Wait.until(Duration.ofSeconds(10), () -> busy(topology), "the master to be busy running the script");
            // as from Redis: other clients get BUSY at once, rather than waiting behind the script
            Wait.until(Duration.ofSeconds(10), () -> {
                try {
                    killer.ping();
                    return false;
                } catch (JedisDataException e) {
                    return e.getMessage().startsWith("BUSY");
                }
            }, "PING through the proxy to answer BUSY");
            JedisDataException busyWrite = org.junit.jupiter.api.Assertions.assertThrows(JedisDataException.class,
                    () -> killer.set("during:script", "1"));
            assertTrue(busyWrite.getMessage().startsWith("BUSY"), busyWrite.getMessage());
            // a client in another database is served meanwhile (its read goes to the replica, on a new connection)
            CompletableFuture<String> otherDb = CompletableFuture.supplyAsync(() -> {
                try (Jedis j = proxy.jedis()) {
                    j.select(3);
                    return String.valueOf(j.get("nothing-here"));
                }
            });
            assertEquals("OK", killer.scriptKill());
            String ended = runaway.get(10, TimeUnit.SECONDS);
            assertTrue(ended.contains("Script killed by user with SCRIPT KILL"), ended);
            assertEquals("null", otherDb.get(10, TimeUnit.SECONDS), "served while the master was busy");
            assertEquals("OK", killer.set("after:script", "1"));
            assertEquals("1", killer.get("after:script"));
            JedisDataException none = org.junit.jupiter.api.Assertions.assertThrows(JedisDataException.class,
                    killer::scriptKill);
            assertTrue(none.getMessage().startsWith("NOTBUSY"), none.getMessage());
            assertNull(killer.get("never-set"));
        }
    }

    /** Whether the master answers BUSY to a fresh connection (the script has passed busy-reply-threshold). */
    private static boolean busy(RedisTopology topology) {
        try (Jedis j = topology.jedis(topology.master())) {
            j.ping();
            return false;
        } catch (JedisDataException e) {
            return e.getMessage().startsWith("BUSY");
        }
    }
}
