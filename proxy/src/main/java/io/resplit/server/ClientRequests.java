package io.resplit.server;

import io.resplit.acl.Acl;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import io.resplit.route.Router;

/**
 * Each request of one client as it arrives: its command resolved, then admitted or answered with an error
 * (after MONITOR only QUIT goes on; NOAUTH before authentication; the user's permissions), routed
 * ({@link Router}; the pub/sub rules while subscribed; {@link Router#insideMulti} inside MULTI), and handed to
 * what serves it: the proxy's own commands, the transaction commands, the subscriber connection, or a backend
 * through the {@link Forwarder} (in cluster mode the {@link ClusterForwarder}). Keeps the connection's modes
 * that decide this (subscribed, MONITOR) and the command CLIENT LIST shows. On the client's event loop only.
 */
final class ClientRequests {
    private final ClientHandler client;
    private final ProxyContext ctx;
    private final ClientSession session;
    private final ClientReplies replies;
    private final ClientTracking tracking;
    private final LocalCommands local;
    private final TransactionCommands transactions;
    private final ScriptCommands scripts;
    private final Forwarder forwarder;
    private final ClusterForwarder clusterForwarder; // cluster mode: takes every forwarded request instead
    private PubSubSession pubsub; // created on the first subscribe command
    private MonitorSession monitor;
    private CommandSpec currentSpec; // the request being handled, for metering local replies
    private Route currentRoute = Route.LOCAL;
    private String lastCommand = "NULL";

    /** @param clusterForwarder null outside cluster mode */
    ClientRequests(ClientHandler client, ClientReplies replies, Forwarder forwarder, ClusterForwarder clusterForwarder,
                   LocalCommands local, TransactionCommands transactions, ScriptCommands scripts) {
        this.client = client;
        this.ctx = client.context();
        this.session = client.session();
        this.tracking = client.tracking();
        this.replies = replies;
        this.forwarder = forwarder;
        this.clusterForwarder = clusterForwarder;
        this.local = local;
        this.transactions = transactions;
        this.scripts = scripts;
    }

    /** Serves {@code request}, which it owns from here. */
    void handle(RespRequest request) {
        RuntimeSnapshot now = ctx.runtime(); // one state for the whole request: table, users and routing agree
        CommandSpec spec = now.table().resolve(request);
        currentSpec = spec;
        currentRoute = Route.LOCAL;
        lastCommand = spec == null ? "unknown" : spec.name();
        if (!admitted(request, spec, now.acl())) {
            return;
        }
        Route route = now.router().route(spec, request);
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
                pubsub = new PubSubSession(client, ctx, session, client.channel().eventLoop());
            }
            pubsub.send(request, spec);
            return;
        }
        if (session.inMulti()) {
            route = Router.insideMulti(spec, route);
        }
        switch (route) {
            case LOCAL -> local.execute(client, request, spec);
            case REFUSED -> {
                request.release();
                if (session.inMulti()) {
                    session.markMultiDirty(); // as a queueing error on Redis: EXEC will abort
                }
                replies.reply(RespWriter.error(client.alloc(), refusal(spec)));
            }
            case PINNED -> transactions.execute(client, request, spec);
            default -> {
                PendingReply p = new PendingReply(client, request, spec, route);
                tracking.beforeForward(p);
                forward(p);
            }
        }
        tracking.commandDone(spec, session.inMulti());
    }

    /**
     * Whether {@code request} may go on: after MONITOR only QUIT does, before authentication only commands
     * flagged no_auth, and only what the connection's user is allowed. Otherwise it is answered with the error
     * here (and a denied command inside MULTI makes EXEC abort, as on Redis).
     */
    private boolean admitted(RespRequest request, CommandSpec spec, Acl acl) {
        if (monitor != null && (spec == null || !spec.immediateInMulti())) {
            request.release(); // a MONITOR connection only streams; QUIT ends it
            replies.reply(RespWriter.error(client.alloc(), "ERR resplit: only QUIT is accepted after MONITOR"));
            return false;
        }
        if (!session.authenticated() && (spec == null || !spec.hasFlag("no_auth"))) {
            request.release();
            replies.reply(Replies.noAuth());
            return false;
        }
        Acl.Permissions user = session.user(acl);
        if (user == null || !user.unrestricted()) {
            String denial = user == null ? "NOPERM this user no longer exists" : user.denial(spec, request);
            if (denial != null) {
                request.release();
                if (session.inMulti()) {
                    session.markMultiDirty(); // as in Redis: EXEC will abort
                }
                ctx.metrics().aclDenials().increment();
                replies.reply(RespWriter.error(client.alloc(), denial));
                return false;
            }
        }
        return true;
    }

    private static String refusal(CommandSpec spec) {
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

    /** Sends a request to a backend, holding its place in the reply order. */
    void forward(PendingReply p) {
        replies.enqueue(p);
        if (clusterForwarder != null) {
            scripts.beforeForward(client, p, false);
            clusterForwarder.dispatch(p);
            return;
        }
        scripts.beforeForward(client, p);
        forwarder.dispatch(p);
    }

    CommandSpec currentSpec() {
        return currentSpec;
    }

    Route currentRoute() {
        return currentRoute;
    }

    String lastCommand() {
        return lastCommand;
    }

    PubSubSession pubsub() {
        return pubsub;
    }

    /** Whether the client is subscribed to anything (the pubsub class of client-output-buffer-limit). */
    boolean subscribed() {
        return pubsub != null && pubsub.subscribed();
    }

    /** Enters MONITOR mode: the master's feed streams to this client. */
    void startMonitor(MonitorSession session) {
        this.monitor = session;
    }

    boolean monitoring() {
        return monitor != null;
    }

    /** RESET: subscriptions and MONITOR end, without messages, as on Redis. */
    void reset() {
        if (pubsub != null) {
            pubsub.reset();
        }
        if (monitor != null) {
            monitor.clientClosed();
            monitor = null;
        }
    }

    /** The client's socket became writable or not: the streams to it pause or resume with it. */
    void clientWritable(boolean writable) {
        if (pubsub != null) {
            pubsub.clientWritable(writable);
        }
        if (monitor != null) {
            monitor.clientWritable(writable);
        }
    }

    /**
     * Whether the client may be closed for being idle ("timeout"): as in Redis, not a subscriber, a monitor or a
     * client waiting on a blocking command.
     */
    boolean idleClosable() {
        return !subscribed() && monitor == null && !forwarder.blocked()
                && (clusterForwarder == null || !clusterForwarder.blocked());
    }

    /** The client has gone: its backend connections, subscriptions and MONITOR feed are let go. */
    void clientClosed() {
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
    }

    /** The connection a blocking command of this client waits on, in either mode, or null (CLIENT UNBLOCK). */
    io.resplit.backend.BackendConnection blockedOn() {
        return clusterForwarder != null ? clusterForwarder.blockedOn() : forwarder.blockedOn();
    }
}
