package io.resplit.server;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One client's cluster calls waiting to be sent again (after TRYAGAIN, CLUSTERDOWN, a slot no master serves,
 * or a node that cannot be reached), in order: each after a pause that starts at 10 ms and doubles up to
 * 200 ms, and only within {@code failover-hold-timeout} of its first wait. Wakes its owner when the head is
 * due. On the client's event loop only.
 */
final class RetryQueue {
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ArrayDeque<ShardCall> waiting = new ArrayDeque<>();
    private final EventLoop loop;
    private final LongSupplier holdMillis;
    private final Runnable due;
    private boolean scheduled;

    /** @param due what runs when a waiting call is due (on the loop) */
    RetryQueue(EventLoop loop, LongSupplier holdMillis, Runnable due) {
        this.loop = loop;
        this.holdMillis = holdMillis;
        this.due = due;
    }

    /** Whether {@code c} may still be retried: within the hold time of its first wait (which starts it). */
    boolean withinDeadline(ShardCall c) {
        long now = System.nanoTime();
        if (c.retryDeadline == 0) {
            c.retryDeadline = now + TimeUnit.MILLISECONDS.toNanos(holdMillis.getAsLong());
        }
        return now - c.retryDeadline < 0;
    }

    /** {@code c} waits its next pause; {@code atHead}: it was the head being sent, and stays ahead of the rest. */
    void add(ShardCall c, boolean atHead) {
        long pause = Math.min(MAX_PAUSE_NANOS, FIRST_PAUSE_NANOS << Math.min(5, c.waits++));
        c.dueNanos = System.nanoTime() + pause;
        if (atHead) {
            waiting.addFirst(c);
        } else {
            waiting.add(c);
        }
        wakeIn(pause);
    }

    /** The head when it is due (taken out); null when none is, a wake-up then being set for the head. */
    ShardCall pollDue() {
        ShardCall c = waiting.peek();
        if (c == null) {
            return null;
        }
        long wait = c.dueNanos - System.nanoTime();
        if (wait > 0) {
            wakeIn(wait);
            return null;
        }
        return waiting.poll();
    }

    /** The head, due or not, or null. */
    ShardCall peek() {
        return waiting.peek();
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** Empties the queue into {@code each} (the client has gone). */
    void clear(Consumer<ShardCall> each) {
        ShardCall c;
        while ((c = waiting.poll()) != null) {
            each.accept(c);
        }
    }

    private void wakeIn(long nanos) {
        if (!scheduled) {
            scheduled = true;
            loop.schedule(() -> {
                scheduled = false;
                due.run();
            }, Math.max(1, nanos), TimeUnit.NANOSECONDS);
        }
    }
}
