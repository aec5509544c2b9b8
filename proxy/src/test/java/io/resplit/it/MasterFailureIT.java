package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The master dies under write load and nobody promotes a replica: writes in flight get an error (never a
 * silent retry), later writes are held for failover-hold-timeout and then get an error (never a hang), client
 * connections stay open, and writes flow again once the master is back.
 */
class MasterFailureIT {

    @Test
    void writesFailWithAnErrorAndRecoverWhenTheMasterReturns() throws Exception {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "failover-hold-timeout 1000")) {
            AtomicBoolean killed = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<String>> writers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                writers.add(pool.submit(() -> writeUntilAnError(proxy, id, killed)));
            }
            try (Jedis probe = proxy.jedis()) {
                Wait.until(Duration.ofSeconds(10), () -> probe.dbSize() > 200, "writes flowing");
            }
            topology.master().kill();
            killed.set(true);
            for (Future<String> w : writers) {
                String error = w.get(20, TimeUnit.SECONDS); // a hang fails here
                assertTrue(error.startsWith("ERR resplit:"), error);
            }
            pool.shutdown();

            topology.master().restart();
            try (Jedis j = proxy.jedis()) {
                Wait.until(Duration.ofSeconds(20), () -> {
                    try {
                        return "OK".equals(j.set("after:restart", "yes"));
                    } catch (JedisDataException stillDown) {
                        return false;
                    }
                }, "writes through the proxy after the master restarted");
                assertEquals("PONG", j.ping());
            }
        }
    }

    /** Writes until one is refused; returns that error. A dropped connection is a failure. */
    private static String writeUntilAnError(ProxyUnderTest proxy, int id, AtomicBoolean killed) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Jedis j = proxy.jedis()) {
            for (int i = 0; System.nanoTime() < deadline; i++) {
                try {
                    j.set("mf:" + id + ":" + (i % 1000), "v" + i);
                } catch (JedisDataException e) {
                    if (!killed.get()) {
                        continue; // the kill is under way: the error may come just before the flag is set
                    }
                    assertEquals("PONG", j.ping(), "the client connection survives the master's death");
                    return e.getMessage();
                } catch (JedisConnectionException e) {
                    throw new AssertionError("client connection dropped: " + e, e);
                }
            }
        }
        throw new AssertionError("no error within 30 s after the master was killed");
    }
}
