package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.resplit.resp.RespRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.resplit.resp.RespReplyDecoder;

/**
 * One pipelined connection to a backend, shared by every client on its event loop that needs this node and
 * database. Requests are written in arrival order and their callbacks queued in a FIFO ({@link InflightQueue});
 * each reply completes the callback at the head ({@link ReplyDispatch}). Writes are batched and flushed once per
 * event-loop turn ({@link RequestWriter}), so many requests share one syscall. With {@code write-ack-replicas},
 * write replies wait for a WAIT after them ({@link ReplicaAcks}).
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
    private final ReplyDispatch replies; // where each reply the node sends goes
    private volatile long serverId; // CLIENT ID of this connection on the node, from HELLO; 0 before

    BackendConnection(BackendNode node, EventLoop loop, int protocol, int db, boolean counted, WriteAck writeAck) {
        this.node = node;
        this.loop = loop;
        this.protocol = protocol;
        this.db = db;
        this.requests = new InflightQueue(node, counted);
        this.writer = new RequestWriter(loop, this::flushNow);
        this.acks = writeAck == null ? null : new ReplicaAcks(writeAck, requests, writer, clock);
        this.replies = new ReplyDispatch(this, node, requests, acks, clock);
    }

    /** The pipeline's last handler, over the reply decoder {@code decoder}: hands each reply to its request. */
    ChannelInboundHandlerAdapter handler(RespReplyDecoder decoder) {
        return replies.handler(decoder);
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
                writer.copy(request);
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
        replies.stream(listener);
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
        replies.closed(reason);
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
            if (state != State.HANDSHAKE || replies.heard()) {
                return;
            }
            long pausedUntil = node.busy().pausedUntilNanos();
            long pausedFor = pausedUntil - System.nanoTime();
            if (pausedUntil != 0 && pausedFor > 0) {
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

    /** Once per event-loop turn in which something was written. */
    private void flushNow() {
        if (acks != null && state == State.READY) {
            acks.beforeFlush();
        }
        writer.flush();
    }
}
