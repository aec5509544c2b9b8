package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.resplit.command.CommandSpec;
import io.resplit.resp.ProtocolException;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespRequestDecoder;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import io.resplit.route.Router;

/**
 * One client connection: classifies each request, answers it locally or hands it to the {@link Forwarder},
 * and puts the replies back in request order. Runs entirely on the connection's event loop.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    /** Stop reading a client that has this many replies pending; resume below {@link #RESUME_AT}. */
    private static final int PAUSE_AT = 4096;
    private static final int RESUME_AT = 1024;

    private final ProxyContext ctx;
    private final RespRequestDecoder decoder;
    private final LocalCommands local;
    private final TransactionCommands transactions;
    private final ScriptCommands scripts;
    private Channel channel;
    private ClientSession session;
    private ReplyQueue replies;
    private Forwarder forwarder;
    private ClusterForwarder clusterForwarder; // cluster mode: takes every forwarded request instead
    private PubSubSession pubsub; // created on the first subscribe command
    private ClientTracking tracking;
    private boolean closed;    // the channel is gone
    private long arrivals;     // requests received, numbering them in order
    private boolean replyOff;  // CLIENT REPLY OFF
    private int skipReplies;   // CLIENT REPLY SKIP: the next command's reply is dropped
    private final long createdMillis = System.currentTimeMillis();
    private long lastCommandMillis = createdMillis; // read by CLIENT LIST on other loops: may be slightly stale
    private String lastCommand = "NULL";
    private MonitorSession monitor;
    private long readNanos;  // arrival time shared by the requests of one read (one clock read per read)
    private CommandMeters meters; // this connection's event loop's
    private boolean reading; // between channelRead and channelReadComplete: readNanos belongs to this read
    private CommandSpec currentSpec;                       // the request being handled, for metering local replies
    private Route currentRoute = Route.LOCAL;
    private boolean closing;   // a QUIT or a protocol error is queued: nothing after it is served

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

    /** Called when AUTH or HELLO AUTH succeeds: lifts the decoder's pre-authentication limits. */
    /** AUTH or HELLO AUTH succeeded for {@code user}. */
    void authenticated(io.resplit.acl.Acl.Permissions user, int aclVersion) {
        session.user(user, aclVersion);
        session.authenticated(true);
        decoder.setAuthenticated(true);
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        channel = c.channel();
        io.resplit.acl.Acl acl = ctx.acl();
        session = new ClientSession(ctx.clients().nextId(), ctx.loopIndex(channel.eventLoop()),
                acl.defaultUser().nopass());
        session.user(acl.defaultUser(), acl.version()); // as in Redis: a new connection is the default user
        meters = ctx.meters(session.loopIndex());
        replies = new ReplyQueue(channel, meters, new OutputBufferGuard(ctx),
                () -> pubsub != null && pubsub.subscribed());
        forwarder = new Forwarder(this, ctx, session, channel.eventLoop(), scripts.cache());
        if (ctx.cluster() != null) {
            clusterForwarder = new ClusterForwarder(this, ctx, session, channel.eventLoop(), scripts.cache());
        }
        tracking = new ClientTracking(this, ctx.invalidations());
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
            replyAndClose(RespWriter.error(channel.alloc(), "ERR " + e.getMessage()));
            return;
        }
        RespRequest request = (RespRequest) msg;
        meters.received(request.frame().readableBytes());
        if (closed || closing) { // after QUIT or a protocol error, like Redis, nothing more is served
            request.release();
            return;
        }
        handle(request);
        if (replies.size() >= PAUSE_AT && channel.config().isAutoRead()) {
            channel.config().setAutoRead(false);
        }
    }

    private void handle(RespRequest request) {
        CommandSpec spec = ctx.table().resolve(request);
        currentSpec = spec;
        currentRoute = Route.LOCAL;
        lastCommand = spec == null ? "unknown" : spec.name();
        if (monitor != null && (spec == null || !spec.immediateInMulti())) {
            request.release(); // a MONITOR connection only streams; QUIT ends it
            reply(RespWriter.error(channel.alloc(), "ERR resplit: only QUIT is accepted after MONITOR"));
            return;
        }
        if (!session.authenticated() && (spec == null || !spec.hasFlag("no_auth"))) {
            request.release();
            reply(Replies.noAuth());
            return;
        }
        io.resplit.acl.Acl.Permissions user = session.user(ctx.acl());
        if (user == null || !user.unrestricted()) {
            String denial = user == null ? "NOPERM this user no longer exists" : user.denial(spec, request);
            if (denial != null) {
                request.release();
                if (session.inMulti()) {
                    session.markMultiDirty(); // as in Redis: EXEC will abort
                }
                ctx.metrics().aclDenials().increment();
                reply(RespWriter.error(channel.alloc(), denial));
                return;
            }
        }
        Route route = ctx.router().route(spec, request);
        currentRoute = route;
        if (pubsub != null && pubsub.subscribed() && route == Route.PUBSUB) {
            pubsub.send(request, spec);
            return;
        }
        if (pubsub != null && pubsub.subscribed() && session.protocol() == 2
                && (spec == null || !spec.immediateInMulti())) {
            pubsub.inSubscribedMode(request, spec); // RESP2 subscribed mode: PING, or Redis's context error
            return;
        }
        if (route == Route.PUBSUB && !session.inMulti()) {
            if (pubsub == null) {
                pubsub = new PubSubSession(this, ctx, session, channel.eventLoop());
            }
            pubsub.send(request, spec);
            return;
        }
        if (session.inMulti()) {
            route = Router.insideMulti(spec, route);
        }
        switch (route) {
            case LOCAL -> local.execute(this, request, spec);
            case REFUSED -> {
                request.release();
                if (session.inMulti()) {
                    session.markMultiDirty(); // as a queueing error on Redis: EXEC will abort
                }
                reply(RespWriter.error(channel.alloc(), refusal(spec)));
            }
            case PINNED -> transactions.execute(this, request, spec);
            default -> {
                PendingReply p = new PendingReply(this, request, spec, route);
                tracking.beforeForward(p);
                forward(p);
            }
        }
        tracking.commandDone(spec, session.inMulti());
    }

    ClientTracking tracking() {
        return tracking;
    }

    private String refusal(CommandSpec spec) {
        return switch (spec.handling()) {
            case REFUSED -> "ERR " + spec.note();
            case ADMIN -> adminRefusal(spec);
            default -> "ERR resplit: '" + spec.name() + "' inside MULTI is not supported";
        };
    }

    /** The error for an admin command that {@code allow-admin-commands} does not let through. */
    static String adminRefusal(CommandSpec spec) {
        return "ERR '" + spec.name() + "' is refused by resplit (" + spec.note() + "); to send it to the master, set "
                + "'allow-admin-commands yes' or list it: 'allow-admin-commands " + spec.name() + "'";
    }

    /** Queues a reply the proxy produced itself, in order behind earlier requests. */
    void reply(ByteBuf reply) {
        enqueue(PendingReply.completed(this, reply));
    }

    /** Takes the next place in the reply order; CLIENT REPLY OFF/SKIP mark the reply to be dropped. */
    void enqueue(PendingReply p) {
        p.seq = ++arrivals;
        if (replyOff || skipReplies > 0) {
            p.suppressed = true;
            if (skipReplies > 0) {
                skipReplies--;
            }
        }
        replies.add(p);
    }

    /** CLIENT REPLY: ON, OFF (no replies from now on), SKIP (no reply to the next command). */
    void replyMode(boolean off, boolean skipNext) {
        replyOff = off;
        skipReplies = skipNext ? 1 : 0;
    }

    /**
     * RESET's part in this handler: CLIENT REPLY ON, subscriptions and MONITOR ended (without messages, as on
     * Redis), and the connection back to the default user, authenticated only if that user needs no password.
     */
    void reset() {
        replyMode(false, false);
        if (pubsub != null) {
            pubsub.reset();
        }
        if (monitor != null) {
            monitor.clientClosed();
            monitor = null;
        }
        io.resplit.acl.Acl acl = ctx.acl();
        boolean nopass = acl.defaultUser().nopass();
        session.user(acl.defaultUser(), acl.version());
        session.authenticated(nopass);
        decoder.setAuthenticated(nopass);
    }

    /** Enters MONITOR mode: the master's feed streams to this client. */
    void startMonitor(MonitorSession session) {
        this.monitor = session;
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

    CommandSpec currentSpec() {
        return currentSpec;
    }

    Route currentRoute() {
        return currentRoute;
    }

    long createdMillis() {
        return createdMillis;
    }

    long lastCommandMillis() {
        return lastCommandMillis;
    }

    String lastCommand() {
        return lastCommand;
    }

    PubSubSession pubsub() {
        return pubsub;
    }

    boolean monitoring() {
        return monitor != null;
    }

    /** Passes on a frame from the subscriber connection, in order behind replies still pending. */
    void push(ByteBuf frame) {
        replies.add(PendingReply.pushed(this, frame));
    }

    /** Queues a reply, then closes the connection once it and everything before it are written. */
    void replyAndClose(ByteBuf reply) {
        closing = true;
        PendingReply p = PendingReply.completed(this, reply);
        p.closeAfter = true;
        enqueue(p);
    }

    /** Sends a request to a backend, holding its place in the reply order. */
    void forward(PendingReply p) {
        enqueue(p);
        if (clusterForwarder != null) {
            scripts.beforeForward(this, p, false);
            clusterForwarder.dispatch(p);
            return;
        }
        scripts.beforeForward(this, p);
        forwarder.dispatch(p);
    }

    /** Fills in {@code p}'s reply and writes whatever is now complete at the head of the queue. */
    void complete(PendingReply p, ByteBuf reply) {
        complete(p, reply, 0);
    }

    /** As {@link #complete(PendingReply, ByteBuf)}, with the clock already read at {@code nowNanos} (0: not read). */
    void complete(PendingReply p, ByteBuf reply, long nowNanos) {
        p.reply = reply;
        if (replies.isHead(p)) {
            replies.drain(nowNanos);
            if (!channel.config().isAutoRead() && replies.size() < RESUME_AT && channel.isWritable()) {
                channel.config().setAutoRead(true);
            }
        } else {
            replies.heldBehindHead(p);
        }
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
        return closed || replies.closing();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext c) {
        // a client that does not read its replies stops being read from, bounding what it can make us buffer
        channel.config().setAutoRead(channel.isWritable() && replies.size() < PAUSE_AT);
        if (pubsub != null) {
            pubsub.clientWritable(channel.isWritable());
        }
        if (monitor != null) {
            monitor.clientWritable(channel.isWritable());
        }
        c.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        // the "timeout" directive closes idle clients, but, as in Redis, not subscribers, monitors or clients
        // waiting on a blocking command
        if (evt instanceof IdleStateEvent && (pubsub == null || !pubsub.subscribed()) && monitor == null
                && !forwarder.blocked() && (clusterForwarder == null || !clusterForwarder.blocked())) {
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        closed = true;
        replies.releaseAll();
        forwarder.clientClosed();
        if (clusterForwarder != null) {
            clusterForwarder.clientClosed();
        }
        tracking.stop();
        if (pubsub != null) {
            pubsub.clientClosed();
        }
        if (monitor != null) {
            monitor.clientClosed();
        }
        ctx.clients().unregister(this);
        ctx.clients().closed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        channel.close();
    }
}
