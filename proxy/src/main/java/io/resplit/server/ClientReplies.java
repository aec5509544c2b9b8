package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.function.BooleanSupplier;

/**
 * What goes back to one client, and how much it may ask for meanwhile: every request takes the next place in
 * the reply order as it arrives (CLIENT REPLY OFF and SKIP mark the places whose reply is dropped), its reply is
 * filled in when known and the {@link ReplyQueue} writes from the head as far as replies are complete; after a
 * QUIT or a protocol error nothing more is served. Flow control: the client is not read from while it has
 * {@link #PAUSE_AT} replies pending or its socket is not writable. On the client's event loop only.
 */
final class ClientReplies {
    /** Stop reading a client that has this many replies pending; resume below {@link #RESUME_AT}. */
    private static final int PAUSE_AT = 4096;
    private static final int RESUME_AT = 1024;

    private final ClientHandler client;
    private final Channel channel;
    private final ReplyQueue queue;
    private long arrivals;     // places taken, numbering the requests in order
    private boolean replyOff;  // CLIENT REPLY OFF
    private int skipReplies;   // CLIENT REPLY SKIP: the next command's reply is dropped
    private boolean closing;   // a QUIT or a protocol error is queued: nothing after it is served
    private boolean closed;    // the channel is gone

    /** @param subscribed whether the client is in the pubsub class of client-output-buffer-limit now */
    ClientReplies(ClientHandler client, CommandMeters meters, OutputBufferGuard guard, BooleanSupplier subscribed) {
        this.client = client;
        this.channel = client.channel();
        this.queue = new ReplyQueue(channel, meters, guard, subscribed);
    }

    /** Queues a reply the proxy produced itself, in order behind earlier requests. */
    void reply(ByteBuf reply) {
        enqueue(PendingReply.completed(client, reply));
    }

    /** Takes the next place in the reply order; CLIENT REPLY OFF/SKIP mark the reply to be dropped. */
    void enqueue(PendingReply p) {
        p.seq = (int) ++arrivals; // wraps; MasterWait compares by difference
        if (replyOff || skipReplies > 0) {
            p.suppressed(true);
            if (skipReplies > 0) {
                skipReplies--;
            }
        }
        queue.add(p);
    }

    /** CLIENT REPLY: ON, OFF (no replies from now on), SKIP (no reply to the next command). */
    void replyMode(boolean off, boolean skipNext) {
        replyOff = off;
        skipReplies = skipNext ? 1 : 0;
    }

    /** Passes on a frame from the subscriber connection, in order behind replies still pending. */
    void push(ByteBuf frame) {
        queue.add(PendingReply.pushed(client, frame));
    }

    /** Queues a reply, then closes the connection once it and everything before it are written. */
    void replyAndClose(ByteBuf reply) {
        closing = true;
        PendingReply p = PendingReply.completed(client, reply);
        p.closeAfter(true);
        enqueue(p);
    }

    /** Fills in {@code p}'s reply and writes whatever is now complete at the head of the queue. */
    void complete(PendingReply p, ByteBuf reply, long nowNanos) {
        p.reply = reply;
        if (queue.isHead(p)) {
            queue.drain(nowNanos);
            resumeIfDrained();
        } else {
            queue.heldBehindHead(p);
        }
    }

    /**
     * Whether a reply for {@code p} would be written at once, as it arrives: {@code p} is next in line, its reply
     * is wanted and nothing about it needs the reply kept (the reply of a request sent with CLIENT REPLY OFF/SKIP
     * is dropped instead).
     */
    boolean writesAtOnce(PendingReply p) {
        return queue.isHead(p) && !p.suppressed() && !p.closeAfter() && !discardsReplies();
    }

    /**
     * {@code p}, at the head ({@link #writesAtOnce}), is answered by the {@code length} bytes at {@code index} of
     * {@code in}: they are copied to the client, and what completed behind {@code p} follows.
     */
    void completeInPlace(PendingReply p, ByteBuf in, int index, int length, long nowNanos) {
        queue.writeHeadInPlace(p, in, index, length, nowNanos);
        resumeIfDrained();
    }

    /** Whether a new request is served: not after a queued QUIT or protocol error, nor once the channel is gone. */
    boolean servesRequests() {
        return !closed && !closing;
    }

    /** A client paused for its backlog is read from again once its replies have drained enough. */
    private void resumeIfDrained() {
        if (!channel.config().isAutoRead() && queue.size() < RESUME_AT && channel.isWritable()) {
            channel.config().setAutoRead(true);
        }
    }

    /** After a request: a client with too many replies pending is not read from until they drain. */
    void pauseIfBacklogged() {
        if (queue.size() >= PAUSE_AT && channel.config().isAutoRead()) {
            channel.config().setAutoRead(false);
        }
    }

    /** A client that does not read its replies stops being read from, bounding what it can make us buffer. */
    void writabilityChanged() {
        channel.config().setAutoRead(channel.isWritable() && queue.size() < PAUSE_AT);
    }

    /** Closes the client connection at once (its server-side state was lost). */
    void closeNow() {
        closing = true;
        channel.close();
    }

    /**
     * Whether replies are no longer wanted: the channel closed, or the reply queue was dropped after its last
     * reply (QUIT, a protocol error). Replies to requests before a queued QUIT are still wanted.
     */
    boolean discardsReplies() {
        return closed || queue.closing();
    }

    /** The channel is gone: every place still queued is released. */
    void clientClosed() {
        closed = true;
        queue.releaseAll();
    }
}
