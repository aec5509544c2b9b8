package io.resplit.backend;

import io.netty.buffer.ByteBuf;

/**
 * Receives the outcome of one request sent on a {@link BackendConnection}. Both methods run on the connection's
 * event loop, and exactly one of them is called once per request.
 */
public interface ReplyCallback {
    /** For the proxy's own requests whose replies nobody reads (SCRIPT LOAD sent to replicas, say). */
    ReplyCallback IGNORE = new ReplyCallback() {
        @Override
        public void onReply(ByteBuf frame) {
            frame.release();
        }

        @Override
        public void onFailure(String reason, boolean maybeApplied) {
        }
    };

    /** The whole reply; ownership of {@code frame} passes to the callee, which must release it. */
    void onReply(ByteBuf frame);

    /** As {@link #onReply(ByteBuf)}, told whether the reply is an error reply (known from the reply scan). */
    default void onReply(ByteBuf frame, boolean error) {
        onReply(frame);
    }

    /**
     * As {@link #onReply(ByteBuf, boolean)}, with {@code arrival}: when the reply arrived, for callees that time
     * their requests. It reads the clock once per read from the backend socket, shared by the replies that read
     * carried, and only when first asked.
     */
    default void onReply(ByteBuf frame, boolean error, java.util.function.LongSupplier arrival) {
        onReply(frame, error);
    }

    /**
     * Whether this callee takes its reply in place ({@link #onReplyInPlace}) rather than as a slice of its own;
     * asked as the reply arrives, before it is handed over.
     */
    default boolean takesInPlace() {
        return false;
    }

    /**
     * The whole reply, where it lies: {@code length} bytes at {@code index} of {@code in}, readable during this
     * call only (a callee that keeps it takes a copy or a retained slice). Only called when {@link #takesInPlace()}.
     */
    default void onReplyInPlace(ByteBuf in, int index, int length, boolean error,
                                java.util.function.LongSupplier arrival) {
        onReply(in.retainedSlice(index, length), error, arrival);
    }

    /**
     * Whether a successful reply must wait until enough replicas have the write ({@code write-ack-replicas}):
     * only then does the connection pass it on.
     */
    default boolean awaitsReplicaAck() {
        return false;
    }

    /**
     * No reply will come from this connection.
     *
     * @param reason       why, for logs and error replies
     * @param maybeApplied true when the request was written and may have run on the server before the failure
     */
    void onFailure(String reason, boolean maybeApplied);
}
