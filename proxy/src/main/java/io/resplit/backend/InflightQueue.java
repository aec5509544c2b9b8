package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * The requests of one {@link BackendConnection} that await their replies: those written, in the order they
 * were written (the order the replies come in), and those that wait for the handshake, in arrival order. It
 * counts a shared connection's requests toward its node's in-flight figure, and fails them all when the
 * connection closes. The connection's own requests (handshake steps, the WAITs of {@link ReplicaAcks}) are in
 * the FIFO too, never counted. Event loop only.
 */
final class InflightQueue {
    /** Placeholder for a streamed request among the waiting ones: its replies go to the stream listener. */
    static final ReplyCallback STREAMED = new ReplyCallback() {
        @Override
        public void onReply(ByteBuf frame) {
            frame.release();
        }

        @Override
        public void onFailure(String reason, boolean maybeApplied) {
        }
    };

    private final BackendNode node;
    // shared connections count toward the node's in-flight requests; a dedicated one (a blocked BLPOP, say)
    // would make the node look busy for as long as it blocks
    private final boolean counted;
    private final ArrayDeque<ReplyCallback> inflight = new ArrayDeque<>();
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(); // request ByteBuf, then its callback

    InflightQueue(BackendNode node, boolean counted) {
        this.node = node;
        this.counted = counted;
    }

    /** Whether {@code cb} is one of the connection's own requests, which the node's count leaves out. */
    static boolean own(ReplyCallback cb) {
        return cb instanceof Handshake.Step || cb instanceof ReplicaAcks.Barrier;
    }

    /** A request of a client's started: it counts as the node's until {@link #ended()}. */
    void started() {
        if (counted) {
            node.requestStarted();
        }
    }

    void ended() {
        if (counted) {
            node.requestEnded();
        }
    }

    /** {@code cb} hears the reply to the request just written, after those of every request before it. */
    void add(ReplyCallback cb) {
        inflight.add(cb);
    }

    /** Whom the next reply is for, or null; it stays at the head. */
    ReplyCallback head() {
        return inflight.peek();
    }

    /** Whom the next reply is for, or null; taken off the head. */
    ReplyCallback poll() {
        return inflight.poll();
    }

    boolean isEmpty() {
        return inflight.isEmpty();
    }

    /** Keeps a request until the handshake is done; ownership of {@code request} passes here. */
    void hold(ByteBuf request, ReplyCallback cb) {
        waiting.add(request);
        waiting.add(cb);
    }

    /**
     * The handshake is done: writes the requests that waited for it, in order, and puts their callbacks in
     * flight ({@code acks}, if any, noting the writes that await replicas).
     */
    void releaseWaiting(RequestWriter writer, ReplicaAcks acks) {
        Object item;
        while ((item = waiting.poll()) != null) {
            writer.write((ByteBuf) item);
            ReplyCallback cb = (ReplyCallback) waiting.poll();
            if (cb != STREAMED) {
                inflight.add(cb);
                if (acks != null) {
                    acks.sent(cb);
                }
            }
        }
    }

    /**
     * The connection closed: every request fails with {@code reason}, those written as may have run, those
     * still waiting as not run. Waiting requests are released.
     */
    void failAll(String reason) {
        ReplyCallback cb;
        while ((cb = inflight.poll()) != null) {
            if (!own(cb)) {
                ended();
            }
            cb.onFailure(reason, true);
        }
        Object item;
        while ((item = waiting.poll()) != null) {
            ((ByteBuf) item).release();
            cb = (ReplyCallback) waiting.poll();
            if (cb != STREAMED) {
                ended();
                cb.onFailure(reason, false);
            }
        }
    }
}
