package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateEvent;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.command.CommandSpec;
import io.resplit.resp.ProtocolException;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespRequestDecoder;
import io.resplit.resp.RespWriter;
import io.resplit.route.ReadYourWrites;
import io.resplit.route.RouteIntent;
import io.resplit.topology.Topology;

/**
 * One client connection: classifies each request, answers it locally or forwards it to the chosen backend,
 * and puts the replies back in request order. Runs entirely on the connection's event loop, whose backend
 * connections it uses.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    /** Stop reading a client that has this many replies pending; resume below {@link #RESUME_AT}. */
    private static final int PAUSE_AT = 4096;
    private static final int RESUME_AT = 1024;
    /** A read is tried on at most this many nodes before the client gets an error. */
    private static final int MAX_READ_ATTEMPTS = 3;

    private final ProxyContext ctx;
    private final RespRequestDecoder decoder;
    private final LocalCommands local;
    private Channel channel;
    private EventLoop loop;
    private ClientSession session;
    private ReplyQueue replies;
    private boolean closed;    // the channel is gone
    private boolean closing;   // a QUIT or a protocol error is queued: nothing after it is served

    ClientHandler(ProxyContext ctx, RespRequestDecoder decoder, LocalCommands local) {
        this.ctx = ctx;
        this.decoder = decoder;
        this.local = local;
    }

    ClientSession session() {
        return session;
    }

    Channel channel() {
        return channel;
    }

    ProxyContext context() {
        return ctx;
    }

    /** Called when AUTH or HELLO AUTH succeeds: lifts the decoder's pre-authentication limits. */
    void authenticated() {
        session.authenticated(true);
        decoder.setAuthenticated(true);
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        channel = c.channel();
        loop = channel.eventLoop();
        session = new ClientSession(ctx.clients().nextId(), ctx.loopIndex(loop), !ctx.config().clientAuthRequired());
        replies = new ReplyQueue(channel);
        c.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (msg instanceof ProtocolException e) {
            replyAndClose(RespWriter.error(channel.alloc(), "ERR " + e.getMessage()));
            return;
        }
        RespRequest request = (RespRequest) msg;
        if (gone()) {
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
        if (!session.authenticated() && (spec == null || !spec.hasFlag("no_auth"))) {
            request.release();
            reply(Replies.noAuth());
            return;
        }
        RouteIntent intent = ctx.router().intent(spec);
        switch (intent) {
            case LOCAL -> local.execute(this, request, spec);
            case REFUSED -> {
                request.release();
                reply(RespWriter.error(channel.alloc(), "ERR " + spec.note()));
            }
            default -> forward(new PendingReply(this, request, spec, intent));
        }
    }

    /** Queues a reply the proxy produced itself, in order behind earlier requests. */
    void reply(ByteBuf reply) {
        replies.add(PendingReply.completed(this, reply));
    }

    /** Queues a reply, then closes the connection once it and everything before it are written. */
    void replyAndClose(ByteBuf reply) {
        closing = true;
        PendingReply p = PendingReply.completed(this, reply);
        p.closeAfter = true;
        replies.add(p);
    }

    /** Sends a request to its backend, holding its place in the reply order. */
    void forward(PendingReply p) {
        replies.add(p);
        send(p, null);
    }

    private void send(PendingReply p, BackendNode exclude) {
        Topology topology = ctx.topology().current();
        BackendNode master = topology.master();
        BackendNode node = master;
        if (p.intent == RouteIntent.REPLICA) {
            long minOffset = session.readYourWrites().minReplicaOffset(master);
            if (minOffset != ReadYourWrites.MASTER_ONLY) {
                BackendNode replica = ctx.replicaPolicy().choose(topology.replicas(), minOffset, exclude);
                if (replica != null) {
                    node = replica;
                }
            }
        }
        BackendConnection conn = connectionTo(node);
        if (conn == null && node != master) {
            node = master; // the replica is in a reconnect backoff: the master serves the read
            conn = connectionTo(node);
        }
        p.attempts++;
        p.node = node;
        if (conn == null) {
            p.request.release();
            p.request = null;
            complete(p, RespWriter.error(channel.alloc(), "ERR resplit: master " + master.address()
                    + " is unavailable: " + master.state().reason()));
            return;
        }
        if (p.intent == RouteIntent.MASTER) {
            session.readYourWrites().writeSent();
        }
        conn.send(p.request.retainedFrame(), p);
    }

    private BackendConnection connectionTo(BackendNode node) {
        // a client keeps to one connection per node so its own requests stay in order there
        return node.connection(loop, session.loopIndex(), session.protocol(), session.db(), (int) session.id());
    }

    /** A backend answered {@code p}; called on this connection's loop. */
    void backendReplied(PendingReply p, ByteBuf frame) {
        if (p.intent == RouteIntent.MASTER) {
            session.readYourWrites().writeEnded(p.node);
        }
        if (replies.closing() || closed) {
            frame.release(); // nobody will read it: the queue was dropped when the connection began to close
            p.releaseAll();
            return;
        }
        p.request.release();
        p.request = null;
        complete(p, p.transform == null ? frame : p.transform.apply(frame));
    }

    /** The backend connection carrying {@code p} failed before its reply. */
    void backendFailed(PendingReply p, String reason, boolean maybeApplied) {
        if (p.intent == RouteIntent.MASTER) {
            session.readYourWrites().writeEnded(p.node);
        }
        if (replies.closing() || closed) {
            p.releaseAll();
            return;
        }
        if (p.intent == RouteIntent.REPLICA && p.attempts < MAX_READ_ATTEMPTS) {
            send(p, p.node); // reads are safe to repeat elsewhere
            return;
        }
        String error = maybeApplied
                ? "ERR resplit: connection to " + p.node.address() + " lost before the reply; the command may or "
                        + "may not have run (" + reason + ")"
                : "ERR resplit: " + reason;
        p.request.release();
        p.request = null;
        complete(p, RespWriter.error(channel.alloc(), error));
    }

    private void complete(PendingReply p, ByteBuf reply) {
        p.reply = reply;
        if (replies.isHead(p)) {
            replies.drain();
            if (!channel.config().isAutoRead() && replies.size() < RESUME_AT && channel.isWritable()) {
                channel.config().setAutoRead(true);
            }
        }
    }

    /** The connection is closed or closing: further requests are not served. */
    private boolean gone() {
        return closed || closing;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext c) {
        // a client that does not read its replies stops being read from, bounding what it can make us buffer
        channel.config().setAutoRead(channel.isWritable() && replies.size() < PAUSE_AT);
        c.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        if (evt instanceof IdleStateEvent) {
            channel.close(); // the "timeout" directive: idle clients are closed, as Redis does
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        closed = true;
        replies.releaseAll();
        ctx.clients().closed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        channel.close();
    }
}
