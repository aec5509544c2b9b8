package io.resplit.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayDeque;

/**
 * A client's replies in request order. Requests may be answered out of order by different backends; whenever
 * one is, the queue writes from its head as far as replies are complete, and flushes once per event-loop turn.
 * That loop is the whole pipelining rule.
 */
final class ReplyQueue {
    private final Channel channel;
    private final CommandMeters meters;
    private final ArrayDeque<PendingReply> queue = new ArrayDeque<>(8);
    private final Runnable flushTask = this::flushNow;
    private boolean flushScheduled;
    private boolean closing;

    ReplyQueue(Channel channel, CommandMeters meters) {
        this.channel = channel;
        this.meters = meters;
    }

    void add(PendingReply p) {
        queue.add(p);
        if (p.done() && queue.size() == 1) {
            drain(0);
        }
    }

    /** Whether {@code p} is next to be written (only then can its completion release anything). */
    boolean isHead(PendingReply p) {
        return queue.peek() == p;
    }

    int size() {
        return queue.size();
    }

    boolean closing() {
        return closing;
    }

    /**
     * Writes every completed reply at the head of the queue. {@code nowNanos}: the clock as the caller last read
     * it (a backend reply's arrival, read anyway for the backend histogram and the slow log), or 0 to read it
     * here; one reading serves every reply of the drain.
     */
    void drain(long nowNanos) {
        PendingReply head;
        boolean wrote = false;
        long now = !meters.enabled() ? 0 : nowNanos != 0 ? nowNanos : System.nanoTime();
        long bytes = 0;
        while ((head = queue.peek()) != null && head.done()) {
            queue.poll();
            if (head.intent != null) {
                meters.replied(head, head.reply, now);
            }
            bytes += head.reply.readableBytes();
            if (head.suppressed) {
                head.reply.release(); // CLIENT REPLY OFF / SKIP
            } else {
                channel.write(head.reply, channel.voidPromise()); // the channel now owns the reply
                wrote = true;
            }
            head.reply = null;
            if (head.closeAfter) {
                closing = true;
                channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                        .addListener(ChannelFutureListener.CLOSE);
                releaseAll();
                return;
            }
        }
        if (wrote) {
            scheduleFlush();
        }
        meters.sent(bytes);
    }

    /** Drops everything still queued (the client is gone). */
    void releaseAll() {
        PendingReply p;
        while ((p = queue.poll()) != null) {
            p.releaseAll();
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        channel.flush();
    }
}
