package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.resplit.resp.WriteBatch;
import java.util.ArrayDeque;

/**
 * A client's replies in request order. Requests may be answered out of order by different backends; whenever
 * one is, the queue writes from its head as far as replies are complete, and flushes once per event-loop turn.
 * That loop is the whole pipelining rule.
 *
 * <p>Small replies are copied into one buffer per flush instead of each being a message of its own: a pipelined
 * client's sixteen "+OK"s then cost the channel one outbound entry, not sixteen (each entry is an allocation, two
 * atomic updates of the pending-bytes count and a pass down the pipeline). Larger replies go as they are, after
 * the buffer, so the order holds.
 */
final class ReplyQueue {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ReplyQueue.class);

    private final Channel channel;
    private final CommandMeters meters;
    private final ArrayDeque<PendingReply> queue = new ArrayDeque<>(8);
    private final Runnable flushTask = this::flushNow;
    private boolean flushScheduled;
    private boolean closing;
    private final WriteBatch batch = new WriteBatch(); // replies written since the last flush

    private final OutputBufferGuard guard;
    private final java.util.function.BooleanSupplier pubsub; // whether the client is in the pubsub class now
    private long heldBytes; // replies completed behind the head, not yet written

    ReplyQueue(Channel channel, CommandMeters meters, OutputBufferGuard guard,
               java.util.function.BooleanSupplier pubsub) {
        this.channel = channel;
        this.meters = meters;
        this.guard = guard;
        this.pubsub = pubsub;
    }

    /** A reply arrived for {@code p}, which is not at the head: it waits here, and counts as held. */
    void heldBehindHead(PendingReply p) {
        p.heldCounted(true);
        heldBytes += p.reply.readableBytes();
        checkLimits();
    }

    void add(PendingReply p) {
        queue.add(p);
        if (p.done() && queue.size() == 1) {
            drain(0);
        } else if (p.done() && p.reply != null) {
            heldBehindHead(p); // a push (pub/sub message) behind an unanswered request waits here too
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
        drain(clock(nowNanos), 0, false);
    }

    /**
     * Writes the reply of {@code head}, the head of the queue, from the {@code length} bytes at {@code index} of
     * {@code in} (copied, or sliced if large), then every completed reply behind it. The reply is a backend's
     * success reply passed on as it came ({@code head.outcome()} says so), so the meters need not read it.
     */
    void writeHeadInPlace(PendingReply head, ByteBuf in, int index, int length, long nowNanos) {
        queue.poll();
        long now = clock(nowNanos);
        if (head.route() != null) {
            meters.replied(head, null, now);
        }
        batch.copy(channel, in, index, length);
        drain(now, length, true);
    }

    private long clock(long nowNanos) {
        return !meters.enabled() ? 0 : nowNanos != 0 ? nowNanos : System.nanoTime();
    }

    /** The drain itself; {@code bytes} and {@code wrote}: of a head already written from where it lay. */
    private void drain(long now, long bytes, boolean wrote) {
        PendingReply head;
        while ((head = queue.peek()) != null && head.done()) {
            queue.poll();
            if (head.heldCounted()) {
                heldBytes -= head.reply.readableBytes();
            }
            if (head.route() != null) {
                meters.replied(head, head.reply, now);
            }
            bytes += head.reply.readableBytes();
            if (head.suppressed()) {
                head.reply.release(); // CLIENT REPLY OFF / SKIP
            } else {
                batch.write(channel, head.reply); // the batch (or the channel) owns the reply now
                wrote = true;
            }
            head.reply = null;
            if (head.closeAfter()) {
                closing = true;
                meters.sent(bytes);
                batch.handOver(channel);
                channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                        .addListener(ChannelFutureListener.CLOSE);
                releaseAll();
                return;
            }
        }
        if (wrote) {
            scheduleFlush();
            checkLimits();
        }
        meters.sent(bytes);
    }

    /** client-output-buffer-limit: a client that lets too much wait for it is closed, as Redis does. */
    private void checkLimits() {
        boolean inPubsub = pubsub.getAsBoolean();
        if (!closing && guard.overLimit(channel, heldBytes + batch.pendingBytes(), inPubsub)) {
            closing = true;
            log.warn("client {} closed for overcoming of output buffer limits ({})", channel.remoteAddress(),
                    guard.describe(inPubsub));
            // the queue is emptied when the channel is inactive (ClientHandler): requests still held by the
            // forwarder must not lose their buffers before it lets go of them
            channel.close();
        }
    }

    /** Drops everything still queued (the client is gone). */
    void releaseAll() {
        PendingReply p;
        while ((p = queue.poll()) != null) {
            p.releaseAll();
        }
        batch.release();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        batch.handOver(channel);
        channel.flush();
    }
}
