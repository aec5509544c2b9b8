package io.resplit.server;

import io.netty.channel.EventLoop;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * One client's requests waiting for a master: ones that found none (down, reconnecting) and writes answered
 * READONLY (the node stopped being master under them; they did not run). They go again in arrival order,
 * before anything held behind them, at each health-check interval, until {@code failover-hold-timeout} from
 * when each first had to wait. Used on the client's event loop only.
 */
final class MasterWait {
    private final PriorityQueue<PendingReply> waiting =
            new PriorityQueue<>((a, b) -> Integer.compare(a.seq - b.seq, 0)); // arrival order, across the wrap
    private final ProxyContext ctx;
    private final EventLoop loop;
    private final Runnable retry;
    private long retryAtNanos;

    /** @param retry what to run when the requests are due again (the forwarder's release loop) */
    MasterWait(ProxyContext ctx, EventLoop loop, Runnable retry) {
        this.ctx = ctx;
        this.loop = loop;
        this.retry = retry;
    }

    /** Whether {@code p} may (still) wait for a master: within failover-hold-timeout of its first wait. */
    boolean mayHold(PendingReply p) {
        // the hold in force now, asked again at each retry: a RELOAD that changes it applies to waiting requests too
        long holdNanos = TimeUnit.MILLISECONDS.toNanos(ctx.runtime().config().failoverHoldTimeoutMs());
        long now = System.nanoTime();
        if (p.heldSince() == 0) {
            p.heldSince(now);
        }
        return now - p.heldSince() < holdNanos;
    }

    /** Puts {@code p} back in its place by arrival, to be sent again at the next health-check interval. */
    void hold(PendingReply p) {
        waiting.add(p);
        ctx.waitingForMaster().incrementAndGet();
        long interval = ctx.runtime().config().healthCheckIntervalMs();
        retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(interval);
        loop.schedule(retry, interval, TimeUnit.MILLISECONDS);
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** The first waiting request if it is due to go again now, else null. */
    PendingReply due() {
        return System.nanoTime() < retryAtNanos ? null : waiting.peek();
    }

    PendingReply poll() {
        PendingReply p = waiting.poll();
        if (p != null) {
            ctx.waitingForMaster().decrementAndGet();
        }
        return p;
    }

    void releaseAll() {
        PendingReply p;
        while ((p = poll()) != null) {
            p.releaseAll();
        }
    }
}
