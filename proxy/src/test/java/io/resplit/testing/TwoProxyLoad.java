package io.resplit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * The same verified load ({@link LoadVerifier}) through two proxies in front of one master, with separate
 * keys: for failovers that one proxy runs and the other must follow without losing a write.
 */
public final class TwoProxyLoad {
    private final LoadVerifier one;
    private final LoadVerifier two;

    public TwoProxyLoad(ProxyUnderTest first, ProxyUnderTest second, int connectionsEach) {
        this.one = new LoadVerifier("one", connectionsEach, first::jedis, 50, 120);
        this.two = new LoadVerifier("two", connectionsEach, second::jedis, 50, 120);
    }

    /** Waits until each proxy has acknowledged {@code writes} more writes. */
    public void awaitProgress(int writes, String what) {
        long w1 = one.writes();
        long w2 = two.writes();
        Wait.until(Duration.ofSeconds(20), () -> one.writes() > w1 + writes && two.writes() > w2 + writes, what);
    }

    /**
     * Stops both loads and asserts that no client saw an error, a dropped connection or a stale read of its
     * own write, and that {@code master} holds every acknowledged write of both.
     */
    public void stopAndAssertInvisible(Jedis master, String label) throws Exception {
        LoadVerifier.Report r1 = one.stop();
        LoadVerifier.Report r2 = two.stop();
        System.out.println(label + "\nproxy one: " + r1 + "\nproxy two: " + r2);
        for (LoadVerifier.Report r : List.of(r1, r2)) {
            assertEquals(List.of(), r.errors(), "client-visible errors");
            assertEquals(0, r.droppedConnections());
            assertEquals(0, r.staleReads(), "stale reads of a connection's own writes");
        }
        assertEquals(List.of(), one.lostWrites(master), "acknowledged writes lost through proxy one");
        assertEquals(List.of(), two.lostWrites(master), "acknowledged writes lost through proxy two");
    }
}
