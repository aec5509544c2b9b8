package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.resplit.acl.Acl;
import io.resplit.command.CommandSpec;
import io.resplit.resp.ProtocolException;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespRequestDecoder;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;

/**
 * One client connection: builds its parts when the channel opens and passes them the channel's events. Each
 * request goes to {@link ClientRequests} (admitted, routed, answered here or forwarded), every reply through
 * {@link ClientReplies} (in request order, CLIENT REPLY, flow control); the connection's state is its
 * {@link ClientSession}. Also the face the rest of the server package sees of a client (commands, forwarders,
 * CLIENT LIST). Runs entirely on the connection's event loop.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private final ProxyContext ctx;
    private final RespRequestDecoder decoder;
    private final LocalCommands local;
    private final TransactionCommands transactions;
    private final ScriptCommands scripts;
    private Channel channel;
    private ClientSession session;
    private ClientReplies replies;
    private ClientRequests requests;
    private Forwarder forwarder;
    private ClusterForwarder clusterForwarder; // cluster mode only
    private ClientTracking tracking;
    private final long createdMillis = System.currentTimeMillis();
    private long lastCommandMillis = createdMillis; // read by CLIENT LIST on other loops: may be slightly stale
    private long readNanos;  // arrival time shared by the requests of one read (one clock read per read)
    private CommandMeters meters; // this connection's event loop's
    private boolean reading; // between channelRead and channelReadComplete: readNanos belongs to this read

    ClientHandler(ProxyContext ctx, RespRequestDecoder decoder, LocalCommands local, TransactionCommands transactions,
                  ScriptCommands scripts) {
        this.ctx = ctx;
        this.decoder = decoder;
        this.local = local;
        this.transactions = transactions;
        this.scripts = scripts;
    }

    ClientSession session() {
        return session;
    }

    Channel channel() {
        return channel;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    ProxyContext context() {
        return ctx;
    }

    Forwarder forwarder() {
        return forwarder;
    }

    /** The forwarder to a Redis Cluster's nodes; null outside cluster mode. */
    ClusterForwarder clusterForwarder() {
        return clusterForwarder;
    }

    ClientTracking tracking() {
        return tracking;
    }

    /** The connection this client's blocking command waits on, or null (CLIENT UNBLOCK, from any loop). */
    io.resplit.backend.BackendConnection blockedOn() {
        return requests.blockedOn();
    }

    /** AUTH or HELLO AUTH succeeded for {@code user}: also lifts the decoder's pre-authentication limits. */
    void authenticated(Acl.Permissions user, int aclVersion) {
        session.user(user, aclVersion);
        session.authenticated(true);
        decoder.setAuthenticated(true);
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        channel = c.channel();
        Acl acl = ctx.runtime().acl();
        session = new ClientSession(ctx.clients().nextId(), ctx.loopIndex(channel.eventLoop()),
                acl.defaultUser().nopass());
        session.user(acl.defaultUser(), acl.version()); // as in Redis: a new connection is the default user
        meters = ctx.meters(session.loopIndex());
        replies = new ClientReplies(this, meters, new OutputBufferGuard(ctx), () -> requests.subscribed());
        forwarder = new Forwarder(this, replies, ctx, session, channel.eventLoop(), scripts.cache());
        clusterForwarder = ctx.cluster() == null ? null
                : new ClusterForwarder(this, ctx, session, channel.eventLoop(), scripts.cache());
        tracking = new ClientTracking(this, ctx.invalidations());
        requests = new ClientRequests(this, replies, forwarder, clusterForwarder, local, transactions, scripts);
        ctx.clients().register(this);
        c.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (!reading) {
            // the first request of this socket read: one wall-clock read serves all of them (CLIENT LIST's idle)
            reading = true;
            lastCommandMillis = System.currentTimeMillis();
        }
        if (msg instanceof ProtocolException e) {
            ctx.metrics().protocolErrors().increment();
            replies.replyAndClose(RespWriter.error(channel.alloc(), "ERR " + e.getMessage()));
            return;
        }
        RespRequest request = (RespRequest) msg;
        meters.received(request.length());
        if (!replies.servesRequests()) { // after QUIT or a protocol error, like Redis, nothing more is served
            request.release();
            return;
        }
        requests.handle(request);
        replies.pauseIfBacklogged();
    }

    /**
     * When the request being handled arrived: one clock read per read loop (the socket reads before
     * channelReadComplete), 0 when neither metrics nor the slow log are on.
     */
    long arrivalNanos() {
        if (!reading) { // a slot made outside a read (a push, a timer): not to be kept for the next read
            return ctx.timed() ? System.nanoTime() : 0;
        }
        if (readNanos == 0 && ctx.timed()) {
            readNanos = System.nanoTime();
        }
        return readNanos;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext c) {
        readNanos = 0;
        reading = false;
        c.fireChannelReadComplete();
    }

    /** The error for an admin command that {@code allow-admin-commands} does not let through. */
    static String adminRefusal(CommandSpec spec) {
        return ClientRequests.adminRefusal(spec);
    }

    /**
     * RESET's part in this handler: CLIENT REPLY ON, subscriptions and MONITOR ended (without messages, as on
     * Redis), and the connection back to the default user, authenticated only if that user needs no password.
     */
    void reset() {
        replies.replyMode(false, false);
        requests.reset();
        Acl acl = ctx.runtime().acl();
        boolean nopass = acl.defaultUser().nopass();
        session.user(acl.defaultUser(), acl.version());
        session.authenticated(nopass);
        decoder.setAuthenticated(nopass);
    }

    // the request side, for the commands the proxy runs itself (ClientRequests)

    /** Sends a request to a backend, holding its place in the reply order. */
    void forward(PendingReply p) {
        requests.forward(p);
    }

    /** Enters MONITOR mode: the master's feed streams to this client. */
    void startMonitor(MonitorSession session) {
        requests.startMonitor(session);
    }

    boolean monitoring() {
        return requests.monitoring();
    }

    PubSubSession pubsub() {
        return requests.pubsub();
    }

    CommandSpec currentSpec() {
        return requests.currentSpec();
    }

    Route currentRoute() {
        return requests.currentRoute();
    }

    String lastCommand() {
        return requests.lastCommand();
    }

    long createdMillis() {
        return createdMillis;
    }

    long lastCommandMillis() {
        return lastCommandMillis;
    }

    // the reply side (ClientReplies)

    /** Queues a reply the proxy produced itself, in order behind earlier requests. */
    void reply(ByteBuf reply) {
        replies.reply(reply);
    }

    /** Takes the next place in the reply order; CLIENT REPLY OFF/SKIP mark the reply to be dropped. */
    void enqueue(PendingReply p) {
        replies.enqueue(p);
    }

    /** CLIENT REPLY: ON, OFF (no replies from now on), SKIP (no reply to the next command). */
    void replyMode(boolean off, boolean skipNext) {
        replies.replyMode(off, skipNext);
    }

    /** Passes on a frame from the subscriber connection, in order behind replies still pending. */
    void push(ByteBuf frame) {
        replies.push(frame);
    }

    /** Queues a reply, then closes the connection once it and everything before it are written. */
    void replyAndClose(ByteBuf reply) {
        replies.replyAndClose(reply);
    }

    /** Fills in {@code p}'s reply and writes whatever is now complete at the head of the queue. */
    void complete(PendingReply p, ByteBuf reply) {
        replies.complete(p, reply, 0);
    }

    /** As {@link #complete(PendingReply, ByteBuf)}, with the clock already read at {@code nowNanos} (0: not read). */
    void complete(PendingReply p, ByteBuf reply, long nowNanos) {
        replies.complete(p, reply, nowNanos);
    }

    /** Closes the client connection at once (its server-side state was lost). */
    void closeNow() {
        replies.closeNow();
    }

    /**
     * Whether replies are no longer wanted: the channel closed, or the reply queue was dropped after its last
     * reply (QUIT, a protocol error). Replies to requests before a queued QUIT are still wanted.
     */
    boolean discardsReplies() {
        return replies.discardsReplies();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext c) {
        replies.writabilityChanged();
        requests.clientWritable(channel.isWritable());
        c.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        if (evt instanceof IdleStateEvent && requests.idleClosable()) { // the "timeout" directive
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        replies.clientClosed();
        requests.clientClosed();
        ctx.clients().unregister(this);
        ctx.clients().closed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        channel.close();
    }
}
