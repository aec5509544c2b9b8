package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.resplit.resp.WriteBatch;
import java.util.ArrayDeque;

/**
 * One pipelined connection to a backend, shared by every client on its event loop that needs this node and
 * database. Requests are written in arrival order and their callbacks queued in a FIFO; each reply completes the
 * callback at the head. Writes are flushed once per event-loop turn, so many requests share one syscall.
 *
 * <p>Everything written to the socket goes through one {@link WriteBatch}: small requests are
 * copied into one buffer per flush (as the client's reply queue does with replies), so one GET from each of
 * sixteen clients costs the channel one outbound entry, not sixteen.
 *
 * <p>Before it carries traffic the connection authenticates and selects its database ({@link Handshake});
 * requests that arrive meanwhile wait in order. All methods must be called on {@link #loop()}.
 */
public final class BackendConnection {
    enum State { CONNECTING, HANDSHAKE, READY, CLOSED }

    private final BackendNode node;
    private final EventLoop loop;
    private final int protocol;
    // shared connections count toward the node's in-flight requests; a dedicated one (a blocked BLPOP, say)
    // would make the node look busy for as long as it blocks
    private final boolean counted;
    private final int db;
    private final ArrayDeque<ReplyCallback> inflight = new ArrayDeque<>();
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(); // request ByteBuf, then its callback
    private final Runnable flushTask = this::flushNow;
    private final WriteBatch batch = new WriteBatch(); // what is written until the next flush
    private Channel channel;
    private State state = State.CONNECTING;
    private String closeReason;
    private boolean flushScheduled;
    private FrameListener stream; // set in streaming mode: frames go here instead of the FIFO
    private final WriteAck writeAck; // null unless write-ack-replicas is set
    private boolean writesToAck;     // a write awaiting replica acknowledgement went out since the last WAIT
    private boolean waitInFlight;    // a WAIT of ours is unanswered: the next one waits for it (group commit)
    // replies of writes that ran, waiting for the WAIT after them: callback, then its reply frame
    private final ArrayDeque<Object> awaitingAck = new ArrayDeque<>();
    private boolean reading;  // between a read's first reply and channelReadComplete: readNanos belongs to it
    private long readNanos;   // when the replies of the current read arrived; 0 until asked for
    private final java.util.function.LongSupplier arrival = this::arrivalNanos;

    /** Placeholder for a streamed request in the waiting queue: its replies go to the stream listener. */
    private static final ReplyCallback STREAMED = new ReplyCallback() {
        @Override
        public void onReply(ByteBuf frame) {
            frame.release();
        }

        @Override
        public void onFailure(String reason, boolean maybeApplied) {
        }
    };

    BackendConnection(BackendNode node, EventLoop loop, int protocol, int db, boolean counted, WriteAck writeAck) {
        this.counted = counted;
        this.writeAck = writeAck;
        this.node = node;
        this.loop = loop;
        this.protocol = protocol;
        this.db = db;
    }

    /** The RESP version this connection speaks (HELLO 3 in its handshake when 3). */
    private volatile long serverId; // CLIENT ID of this connection on the node, from HELLO; 0 before

    void serverId(long id) {
        serverId = id;
    }

    /** This connection's client id on the node (what CLIENT UNBLOCK there takes); 0 until its handshake. */
    public long serverId() {
        return serverId;
    }

    public int protocol() {
        return protocol;
    }

    public BackendNode node() {
        return node;
    }

    public EventLoop loop() {
        return loop;
    }

    public int db() {
        return db;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /**
     * Sends one request. Ownership of {@code request} passes to this connection; {@code callback} hears the
     * outcome exactly once.
     */
    public void send(ByteBuf request, ReplyCallback callback) {
        used = true;
        started();
        switch (state) {
            case READY -> {
                batch.write(channel, request); // the batch (or the channel) owns it now
                inflight.add(callback);
                writesToAck |= writeAck != null && callback.awaitsReplicaAck();
                scheduleFlush();
            }
            case CONNECTING, HANDSHAKE -> {
                waiting.add(request);
                waiting.add(callback);
            }
            default -> {
                request.release();
                ended();
                callback.onFailure(closeReason, false);
            }
        }
    }

    /**
     * Switches to streaming mode (SUBSCRIBE, MONITOR): from now on every frame after the handshake goes to
     * {@code listener}, and requests are sent with {@link #sendStreamed}. Must be called before any request.
     */
    public void stream(FrameListener listener) {
        this.stream = listener;
    }

    /**
     * Pauses or resumes reading from the server: a streaming connection (subscriber, MONITOR) follows its
     * client's writability, so a client that stops reading makes the proxy stop reading, and the server's
     * own output-buffer limits apply instead of unbounded proxy memory.
     */
    public void readFromServer(boolean read) {
        if (channel != null) {
            channel.config().setAutoRead(read);
        }
    }

    /** Sends a request whose replies arrive through the stream listener. Takes ownership of the request. */
    public void sendStreamed(ByteBuf request) {
        used = true;
        switch (state) {
            case READY -> {
                batch.write(channel, request); // the batch (or the channel) owns it now
                scheduleFlush();
            }
            case CONNECTING, HANDSHAKE -> {
                waiting.add(request);
                waiting.add(STREAMED);
            }
            default -> request.release();
        }
    }

    /**
     * Closes the connection because something went wrong with it or its node; every request without a reply
     * fails with {@code reason}, and the node is taken out of service until a health check passes.
     */
    public void close(String reason) {
        close(reason, true);
    }

    /**
     * Closes a connection the proxy no longer needs (a dedicated connection given up by its client, shutdown):
     * the node's health is not touched.
     */
    public void discard(String reason) {
        close(reason, false);
    }

    private boolean used; // a request was sent on it

    /**
     * Whether a pooled connection can be handed out: open and either never used (it may still be connecting:
     * requests then wait for its handshake) or idle.
     */
    public boolean reusable() {
        return state != State.CLOSED && (!used || idle());
    }

    /** Whether the connection is ready and has no request in flight (fit to go back to an idle pool). */
    public boolean idle() {
        return state == State.READY && inflight.isEmpty() && awaitingAck.isEmpty();
    }

    private void close(String reason, boolean nodeFault) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasReady = state == State.READY;
        state = State.CLOSED;
        closeReason = reason;
        batch.release(); // never handed over: the requests in it fail below
        if (channel != null) {
            channel.close();
        }
        ReplyCallback cb;
        while ((cb = inflight.poll()) != null) {
            if (!(cb instanceof Handshake.Step) && cb != ackBarrier) {
                ended(); // handshake steps and WAITs of our own were never counted as the node's requests
            }
            cb.onFailure(reason, true);
        }
        failWaiting(reason);
        failAwaitingAck(reason);
        node.connectionGone(this);
        if (stream != null) {
            stream.onClosed(reason);
        }
        if (nodeFault) {
            node.connectionClosed(this, reason, wasReady);
        }
    }

    void connected(Channel ch, Handshake handshake) {
        if (state == State.CLOSED) {
            ch.close();
            return;
        }
        channel = ch;
        state = State.HANDSHAKE;
        handshake.start(this);
    }

    /** Writes a handshake step; handshake steps precede every waiting request. */
    void sendHandshakeStep(ByteBuf request, ReplyCallback callback) {
        batch.write(channel, request);
        inflight.add(callback);
        scheduleFlush();
    }

    /** The handshake succeeded: release the requests that waited for it, in order. */
    void ready() {
        if (state != State.HANDSHAKE) {
            return;
        }
        state = State.READY;
        node.connectionReady(this);
        Object item;
        while ((item = waiting.poll()) != null) {
            batch.write(channel, (ByteBuf) item);
            ReplyCallback cb = (ReplyCallback) waiting.poll();
            if (cb != STREAMED) {
                inflight.add(cb);
                writesToAck |= writeAck != null && cb.awaitsReplicaAck();
            }
        }
        scheduleFlush();
    }

    private void failWaiting(String reason) {
        Object item;
        while ((item = waiting.poll()) != null) {
            ((ByteBuf) item).release();
            ReplyCallback cb = (ReplyCallback) waiting.poll();
            if (cb != STREAMED) {
                ended();
                cb.onFailure(reason, false);
            }
        }
    }

    private void onReply(ByteBuf frame, boolean error) {
        if (stream != null && !(inflight.peek() instanceof Handshake.Step)) {
            stream.onFrame(frame);
            return;
        }
        ReplyCallback cb = inflight.poll();
        if (cb == null) {
            frame.release();
            close("reply from " + node.address() + " that no request asked for");
            return;
        }
        if (!error && cb.awaitsReplicaAck() && writeAck != null) {
            // it ran; the WAIT queued after it says whether enough replicas have it (still counted in flight)
            awaitingAck.add(cb);
            awaitingAck.add(frame);
            return;
        }
        if (!(cb instanceof Handshake.Step) && cb != ackBarrier) {
            ended();
            if (!error && node.isBusy()) {
                node.notBusy(); // it ran a command, so no script holds it now: don't wait for the next health check
            }
        }
        cb.onReply(frame, error, arrival);
    }

    /** When the reply being handled arrived: one clock read per socket read, made only if a callee asks. */
    private long arrivalNanos() {
        if (!reading) {
            return System.nanoTime();
        }
        if (readNanos == 0) {
            readNanos = System.nanoTime();
        }
        return readNanos;
    }

    /**
     * The reply to a WAIT: every write reply held since the previous WAIT was sent before this one, so the
     * count covers all of them. Enough replicas: the replies go on as they came; too few (the timeout passed):
     * each becomes an error that says the write ran but may be lost.
     */
    private void acknowledged(ByteBuf frame) {
        waitInFlight = false;
        if (writesToAck) {
            scheduleFlush(); // the writes sent while this WAIT ran get theirs
        }
        long replicas;
        try {
            Object v = io.resplit.resp.RespValues.read(frame.duplicate());
            replicas = v instanceof Long n ? n : -1; // an error (a demoted master refuses WAIT): not acknowledged
        } finally {
            frame.release();
        }
        Object item;
        while ((item = awaitingAck.poll()) != null) {
            ReplyCallback cb = (ReplyCallback) item;
            ByteBuf reply = (ByteBuf) awaitingAck.poll();
            ended();
            if (replicas >= writeAck.replicas()) {
                cb.onReply(reply, false, arrival);
            } else {
                reply.release();
                cb.onReply(writeAck.notAcknowledged(channel.alloc(), Math.max(0, replicas)), true);
            }
        }
    }

    private void failAwaitingAck(String reason) {
        Object item;
        while ((item = awaitingAck.poll()) != null) {
            ((ByteBuf) awaitingAck.poll()).release();
            ended();
            // it did run (its reply came): say so, rather than "may or may not have run"
            ((ReplyCallback) item).onReply(writeAck.lostBeforeAck(ByteBufAllocator.DEFAULT, reason), true);
        }
    }

    /** The callback of every WAIT this connection appends; replies to it release the held write replies. */
    private final ReplyCallback ackBarrier = new ReplyCallback() {
        @Override
        public void onReply(ByteBuf frame) {
            acknowledged(frame);
        }

        @Override
        public void onFailure(String reason, boolean maybeApplied) {
            // the connection is closing: failAwaitingAck answers the held writes
        }
    };

    private void started() {
        if (counted) {
            node.requestStarted();
        }
    }

    private void ended() {
        if (counted) {
            node.requestEnded();
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (channel != null) {
            if (writesToAck && !waitInFlight && state == State.READY) {
                // one WAIT for every write since the last one. Redis runs nothing else on a connection blocked
                // in WAIT, so a second WAIT would only queue behind the first: writes sent meanwhile wait for
                // the next, sent when this one answers, and each round trip to the replicas covers them all
                writesToAck = false;
                waitInFlight = true;
                batch.write(channel, writeAck.waitFrame()); // in order after the writes it covers
                inflight.add(ackBarrier);
            }
            batch.handOver(channel);
            channel.flush();
        }
    }

    /** The pipeline's last handler: hands each reply frame to the connection. */
    final class Handler extends ChannelInboundHandlerAdapter {
        private final io.resplit.resp.RespReplyDecoder replies;

        Handler(io.resplit.resp.RespReplyDecoder replies) {
            this.replies = replies;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reading = true;
            onReply((ByteBuf) msg, replies.lastReplyIsError());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            reading = false;
            readNanos = 0;
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close("connection to " + node.address() + " closed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close("connection to " + node.address() + " failed: " + cause.getMessage());
        }
    }
}
