package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.resplit.resp.RespRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.resplit.resp.RespReplyDecoder;

/**
 * One pipelined connection to a backend, shared by every client on its event loop that needs this node and
 * database. Requests are written in arrival order and their callbacks queued in a FIFO ({@link InflightQueue});
 * each reply completes the callback at the head. Writes are batched and flushed once per event-loop turn
 * ({@link RequestWriter}), so many requests share one syscall. With {@code write-ack-replicas}, write replies
 * wait for a WAIT after them ({@link ReplicaAcks}).
 *
 * <p>This class keeps the connection's life: before it carries traffic the connection authenticates and
 * selects its database ({@link Handshake}), and requests that arrive meanwhile wait in order; once it closes,
 * every request without a reply fails. All methods must be called on {@link #loop()}.
 */
public final class BackendConnection {
    enum State { CONNECTING, HANDSHAKE, READY, CLOSED }

    private final BackendNode node;
    private final EventLoop loop;
    private final int protocol;
    private final int db;
    private final InflightQueue requests;
    private final RequestWriter writer;
    private final ReadClock clock = new ReadClock();
    private final ReplicaAcks acks; // null unless write-ack-replicas is set
    private State state = State.CONNECTING;
    private String closeReason;
    private boolean used; // a request was sent on it
    private boolean heard; // the node sent something: it is alive (a BUSY node's handshake may take longer)
    private FrameListener stream; // set in streaming mode: frames go here instead of the FIFO
    private volatile long serverId; // CLIENT ID of this connection on the node, from HELLO; 0 before

    BackendConnection(BackendNode node, EventLoop loop, int protocol, int db, boolean counted, WriteAck writeAck) {
        this.node = node;
        this.loop = loop;
        this.protocol = protocol;
        this.db = db;
        this.requests = new InflightQueue(node, counted);
        this.writer = new RequestWriter(loop, this::flushNow);
        this.acks = writeAck == null ? null : new ReplicaAcks(writeAck, requests, writer, clock);
    }

    void serverId(long id) {
        serverId = id;
    }

    /** This connection's client id on the node (what CLIENT UNBLOCK there takes); 0 until its handshake. */
    public long serverId() {
        return serverId;
    }

    /** The RESP version this connection speaks (HELLO 3 in its handshake when 3). */
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
        requests.started();
        switch (state) {
            case READY -> {
                writer.write(request); // the batch (or the channel) owns it now
                sent(callback);
            }
            case CONNECTING, HANDSHAKE -> requests.hold(request, callback);
            default -> {
                request.release();
                failAtOnce(callback);
            }
        }
    }

    /**
     * Sends a client's request, which stays the caller's (it may be sent again elsewhere): its bytes are copied
     * into the write batch when small, so the usual request costs no reference count and no derived buffer.
     */
    public void send(RespRequest request, ReplyCallback callback) {
        used = true;
        requests.started();
        switch (state) {
            case READY -> {
                writer.copy(request.frame());
                sent(callback);
            }
            case CONNECTING, HANDSHAKE -> requests.hold(request.retainedFrame(), callback);
            default -> failAtOnce(callback);
        }
    }

    private void sent(ReplyCallback callback) {
        requests.add(callback);
        if (acks != null) {
            acks.sent(callback);
        }
        writer.scheduleFlush();
    }

    private void failAtOnce(ReplyCallback callback) {
        requests.ended();
        callback.onFailure(closeReason, false);
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
        writer.autoRead(read);
    }

    /** Sends a request whose replies arrive through the stream listener. Takes ownership of the request. */
    public void sendStreamed(ByteBuf request) {
        used = true;
        switch (state) {
            case READY -> {
                writer.write(request); // the batch (or the channel) owns it now
                writer.scheduleFlush();
            }
            case CONNECTING, HANDSHAKE -> requests.hold(request, InflightQueue.STREAMED);
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

    /**
     * Whether a pooled connection can be handed out: open and either never used (it may still be connecting:
     * requests then wait for its handshake) or idle.
     */
    public boolean reusable() {
        return state != State.CLOSED && (!used || idle());
    }

    /** Whether the connection is ready and has no request in flight (fit to go back to an idle pool). */
    public boolean idle() {
        return state == State.READY && requests.isEmpty() && (acks == null || acks.isEmpty());
    }

    private void close(String reason, boolean nodeFault) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasReady = state == State.READY;
        state = State.CLOSED;
        closeReason = reason;
        writer.close(); // what was never handed over is dropped: the requests in it fail below
        requests.failAll(reason);
        if (acks != null) {
            acks.failHeld(reason);
        }
        node.connectionGone(this);
        if (stream != null) {
            stream.onClosed(reason);
        }
        if (nodeFault) {
            node.connectionClosed(this, reason, wasReady);
        }
    }

    /**
     * The TCP connection is up; the handshake starts. A node that accepted the connection but answers nothing
     * within {@code timeoutMs} (a stopped process, whose kernel still accepts connections, or something that
     * is not Redis) fails it as a lost connection would: the requests waiting for it fail as not sent.
     */
    void connected(Channel ch, Handshake handshake, long timeoutMs) {
        if (state == State.CLOSED) {
            ch.close();
            return;
        }
        writer.attach(ch);
        state = State.HANDSHAKE;
        handshake.start(this);
        handshakeDeadline(timeoutMs, timeoutMs);
    }

    /**
     * Closes the connection if the node has answered nothing in {@code delayMs}. A CLIENT PAUSE sent to the node
     * through the proxy holds the handshake's first command for as long as it lasts (as it holds health checks,
     * which wait for it too): then the deadline moves to {@code timeoutMs} past the pause's end.
     */
    private void handshakeDeadline(long timeoutMs, long delayMs) {
        loop.schedule(() -> {
            if (state != State.HANDSHAKE || heard) {
                return;
            }
            long pausedFor = node.busy().pausedUntilNanos() - System.nanoTime();
            if (node.busy().pausedUntilNanos() != 0 && pausedFor > 0) {
                handshakeDeadline(timeoutMs, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(pausedFor) + timeoutMs);
                return;
            }
            close("no answer from " + node.address() + " to the connection's handshake within " + timeoutMs + " ms");
        }, delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Writes a handshake step; handshake steps precede every waiting request. */
    void sendHandshakeStep(ByteBuf request, ReplyCallback callback) {
        writer.write(request);
        requests.add(callback);
        writer.scheduleFlush();
    }

    /** The handshake succeeded: release the requests that waited for it, in order. */
    void ready() {
        if (state != State.HANDSHAKE) {
            return;
        }
        state = State.READY;
        node.connectionReady(this);
        requests.releaseWaiting(writer, acks);
        writer.scheduleFlush();
    }

    private void onReply(ByteBuf frame, boolean error) {
        if (stream != null && !(requests.head() instanceof Handshake.Step)) {
            stream.onFrame(frame);
            return;
        }
        ReplyCallback cb = requests.poll();
        if (cb == null) {
            frame.release();
            close("reply from " + node.address() + " that no request asked for");
            return;
        }
        if (acks != null && !error && cb.awaitsReplicaAck()) {
            acks.hold(cb, frame); // it ran; the WAIT queued after it says whether enough replicas have it
            return;
        }
        answered(cb, error);
        cb.onReply(frame, error, clock);
    }

    /**
     * The decoder offers each whole reply here first: a callee that takes it in place (a client's request, whose
     * reply is copied on to its client) gets it without a slice being made; anything else gets its usual slice.
     */
    private boolean replyInPlace(ByteBuf in, int index, int length, boolean error) {
        if (stream != null) {
            return false;
        }
        ReplyCallback cb = requests.head();
        if (cb == null || !cb.takesInPlace() || acks != null && !error && cb.awaitsReplicaAck()) {
            return false;
        }
        clock.reading();
        requests.poll();
        answered(cb, error);
        cb.onReplyInPlace(in, index, length, error, clock);
        return true;
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

    /** Once per event-loop turn in which something was written. */
    private void flushNow() {
        if (acks != null && state == State.READY) {
            acks.beforeFlush();
        }
        writer.flush();
    }

    /** The pipeline's last handler: hands each reply frame to the connection. */
    final class Handler extends ChannelInboundHandlerAdapter {
        private final RespReplyDecoder replies;

        Handler(RespReplyDecoder replies) {
            this.replies = replies;
            replies.inPlace(BackendConnection.this::replyInPlace);
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
            close("connection to " + node.address() + " closed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close("connection to " + node.address() + " failed: " + cause.getMessage());
        }
    }
}
