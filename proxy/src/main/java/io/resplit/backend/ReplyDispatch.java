package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.resplit.resp.RespReplyDecoder;

/**
 * The read side of one {@link BackendConnection}: each whole reply the node sends goes to the request at the head
 * of the connection's FIFO (or, in streaming mode, to the stream's listener); a reply the callee takes in place
 * (a client's request, copied on to its client) is handed over where it lies in the decoder's input, without a
 * slice of its own. A write reply that must wait for replicas ({@code write-ack-replicas}) goes to
 * {@link ReplicaAcks}. Event loop only.
 */
final class ReplyDispatch {
    private final BackendConnection connection;
    private final BackendNode node;
    private final InflightQueue requests;
    private final ReplicaAcks acks; // null unless write-ack-replicas is set
    private final ReadClock clock;
    private boolean heard; // the node sent something: it is alive (a BUSY node's handshake may take longer)
    private FrameListener stream; // set in streaming mode: frames go here instead of the FIFO

    ReplyDispatch(BackendConnection connection, BackendNode node, InflightQueue requests, ReplicaAcks acks,
                  ReadClock clock) {
        this.connection = connection;
        this.node = node;
        this.requests = requests;
        this.acks = acks;
        this.clock = clock;
    }

    /** Streaming mode (SUBSCRIBE, MONITOR): from now on every frame after the handshake goes to {@code listener}. */
    void stream(FrameListener listener) {
        this.stream = listener;
    }

    /** Whether the node has sent anything on this connection yet. */
    boolean heard() {
        return heard;
    }

    /** The connection closed: a stream's listener hears why. */
    void closed(String reason) {
        if (stream != null) {
            stream.onClosed(reason);
        }
    }

    ChannelInboundHandlerAdapter handler(RespReplyDecoder decoder) {
        return new Handler(decoder);
    }

    private void onReply(ByteBuf frame, boolean error) {
        if (stream != null && !(requests.head() instanceof Handshake.Step)) {
            stream.onFrame(frame);
            return;
        }
        ReplyCallback cb = requests.poll();
        if (cb == null) {
            frame.release();
            connection.close("reply from " + node.address() + " that no request asked for");
            return;
        }
        if (waitsForReplicas(cb, error)) {
            acks.hold(cb, frame); // it ran; the WAIT queued after it says whether enough replicas have it
            return;
        }
        answered(cb, error);
        cb.onReply(frame, error, clock);
    }

    /**
     * The decoder offers each whole reply here first: a callee that takes it in place gets it without a slice
     * being made; anything else gets its usual slice. Never in streaming mode: a stream pauses reading with its
     * client, and the decoder must then emit messages (see {@link RespReplyDecoder.InPlace}).
     */
    private boolean replyInPlace(ByteBuf in, int index, int length, boolean error) {
        if (stream != null) {
            return false;
        }
        ReplyCallback cb = requests.head();
        if (cb == null || !cb.takesInPlace() || waitsForReplicas(cb, error)) {
            return false;
        }
        heard = true;
        clock.reading();
        requests.poll();
        answered(cb, error);
        cb.onReplyInPlace(in, index, length, error, clock);
        return true;
    }

    /** Whether {@code cb}'s successful reply waits for a WAIT after it ({@code write-ack-replicas}). */
    private boolean waitsForReplicas(ReplyCallback cb, boolean error) {
        return acks != null && !error && cb.awaitsReplicaAck();
    }

    /** {@code cb}'s reply came: it is no longer in flight on this connection. */
    private void answered(ReplyCallback cb, boolean error) {
        if (!InflightQueue.own(cb)) {
            requests.ended();
            if (!error && node.busy().isBusy()) {
                node.busy().ended(); // it ran a command, so no script holds it: no need to wait for a health check
            }
        }
    }

    /** The pipeline's last handler: hands each reply frame on. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        private final RespReplyDecoder replies;

        Handler(RespReplyDecoder replies) {
            this.replies = replies;
            replies.inPlace(ReplyDispatch.this::replyInPlace);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            heard = true;
            clock.reading();
            onReply((ByteBuf) msg, replies.lastReplyIsError());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            clock.readComplete();
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connection.close("connection to " + node.address() + " closed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connection.close("connection to " + node.address() + " failed: " + cause.getMessage());
        }
    }
}
