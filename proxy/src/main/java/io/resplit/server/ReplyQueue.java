package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
    /** Replies up to this size are copied into the batch; copying them is cheaper than a message each. */
    static final int COPY_AT_MOST = 512;
    /**
     * A batch never grows past this: it is handed to the channel first, so the channel's writability sees its
     * bytes and the buffer stays within this size.
     */
    static final int BATCH_LIMIT = 64 * 1024;
    private static final int BATCH_INITIAL = 1024;

    private final Channel channel;
    private final CommandMeters meters;
    private final ArrayDeque<PendingReply> queue = new ArrayDeque<>(8);
    private final Runnable flushTask = this::flushNow;
    private boolean flushScheduled;
    private boolean closing;
    private ByteBuf batch; // small replies written since the last flush, not yet handed to the channel

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
        p.heldCounted = true;
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
        PendingReply head;
        boolean wrote = false;
        long now = !meters.enabled() ? 0 : nowNanos != 0 ? nowNanos : System.nanoTime();
        long bytes = 0;
        while ((head = queue.peek()) != null && head.done()) {
            queue.poll();
            if (head.heldCounted) {
                heldBytes -= head.reply.readableBytes();
            }
            if (head.route != null) {
                meters.replied(head, head.reply, now);
            }
            bytes += head.reply.readableBytes();
            if (head.suppressed) {
                head.reply.release(); // CLIENT REPLY OFF / SKIP
            } else {
                write(head.reply);
                wrote = true;
            }
            head.reply = null;
            if (head.closeAfter) {
                closing = true;
                meters.sent(bytes);
                handBatchOver();
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
        if (!closing && guard.overLimit(channel, heldBytes + (batch == null ? 0 : batch.readableBytes()), inPubsub)) {
            closing = true;
            log.warn("client {} closed for overcoming of output buffer limits ({})", channel.remoteAddress(),
                    guard.describe(inPubsub));
            // the queue is emptied when the channel is inactive (ClientHandler): requests still held by the
            // forwarder must not lose their buffers before it lets go of them
            channel.close();
        }
    }

    /** Writes {@code reply}, which this queue owns until then: copied into the batch if small. */
    private void write(ByteBuf reply) {
        int n = reply.readableBytes();
        if (n > COPY_AT_MOST) {
            handBatchOver(); // what came before goes first
            channel.write(reply, channel.voidPromise()); // the channel now owns the reply
            return;
        }
        if (batch != null && batch.readableBytes() + n > BATCH_LIMIT) {
            handBatchOver();
        }
        if (batch == null) {
            batch = channel.alloc().ioBuffer(Math.max(BATCH_INITIAL, n));
        }
        // copied by the source's getBytes into the batch at an index, not batch.writeBytes(reply): the adaptive
        // allocator's setBytes from a slice makes a java.nio view of it per call (a DirectByteBuffer per reply),
        // while the reply slice's getBytes copies memory to memory when the batch has an address
        batch.ensureWritable(n);
        int at = batch.writerIndex();
        reply.getBytes(reply.readerIndex(), batch, at, n);
        batch.writerIndex(at + n);
        reply.release(); // copied: the queue's reference to the reply ends here
    }

    /** Gives the batch, if any, to the channel as one message (written at the next flush). */
    private void handBatchOver() {
        if (batch != null) {
            ByteBuf b = batch;
            batch = null;
            channel.write(b, channel.voidPromise());
        }
    }

    /** Drops everything still queued (the client is gone). */
    void releaseAll() {
        PendingReply p;
        while ((p = queue.poll()) != null) {
            p.releaseAll();
        }
        if (batch != null) {
            batch.release();
            batch = null;
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
        handBatchOver();
        channel.flush();
    }
}
