package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.backend.FrameListener;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespValues;
import io.resplit.route.Route;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One client's subscriptions. A subscribed client gets a master connection of its own in streaming mode:
 * everything that arrives on it (confirmations, messages, PING replies) is passed to the client in order
 * behind its earlier replies. The proxy remembers what the client subscribed to, so that when that connection
 * is lost it subscribes again on a new one without the client seeing anything but the messages published in
 * between (Redis Pub/Sub delivers at most once in any case).
 *
 * <p>Subscribers use the master, so that PUBSUB CHANNELS / NUMSUB / NUMPAT (answered by the master) count them.
 * In cluster mode, sharded subscriptions (SSUBSCRIBE) go to their channels' shards instead
 * ({@link ShardSubscriptions}). What the client is subscribed to is kept in its {@link Subscriptions}.
 */
final class PubSubSession implements FrameListener {
    private final ClientHandler client;
    private final ProxyContext ctx;
    private final ClientSession session;
    private final EventLoop loop;
    private final Subscriptions subs = new Subscriptions();
    private static final int RETRY_MS = 100;
    private static final int MAX_RETRIES = 100;
    private BackendConnection conn;
    private final ShardSubscriptions shards; // cluster mode only: SSUBSCRIBE on the channels' shards

    PubSubSession(ClientHandler client, ProxyContext ctx, ClientSession session, EventLoop loop) {
        this.client = client;
        this.ctx = ctx;
        this.session = session;
        this.loop = loop;
        this.shards = ctx.cluster() == null ? null : new ShardSubscriptions(client, session, loop, ctx.cluster(), this);
    }

    /** How many subscriptions of {@code kind} the client has (as confirmed by Redis). */
    int count(Subscriptions.Kind kind) {
        return subs.count(kind);
    }

    /** In subscribed mode (RESP2): only (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET are allowed. */
    boolean subscribed() {
        return subs.subscribed();
    }

    /**
     * Sends a subscribe or unsubscribe command, or PING while subscribed, on the subscriber connection; takes
     * ownership of the request.
     */
    void send(RespRequest r, CommandSpec spec) {
        if (shards != null && spec != null && spec.arityAccepts(r.argc())
                && ("ssubscribe".equals(spec.name()) || "sunsubscribe".equals(spec.name()))) {
            boolean subscribe = "ssubscribe".equals(spec.name());
            int confirmations = shards.send(r, subscribe); // takes the request
            if (subscribe && confirmations > 0) {
                subs.subscribing(confirmations);
            }
            ctx.meters(session.loopIndex()).sentOnStream(spec, Route.PUBSUB);
            return;
        }
        try {
            if (spec != null && !spec.arityAccepts(r.argc())) {
                client.reply(LocalCommands.error(client, spec.wrongArityError())); // subscribes to nothing
                return;
            }
            if (conn == null || conn.isClosed()) {
                if (!open()) {
                    client.reply(LocalCommands.error(client, "ERR resplit: master "
                            + ctx.topology().current().master().address() + " is unavailable"));
                    return;
                }
            }
            // the command table knows these by name only: Redis gives them identical flags
            if (spec != null && spec.handling() == io.resplit.command.Handling.PUBSUB
                    && !spec.name().endsWith("unsubscribe")) {
                subs.subscribing(Math.max(1, r.argc() - 1));
            }
            conn.sendStreamed(r.retainedFrame());
            ctx.meters(session.loopIndex()).sentOnStream(spec, Route.PUBSUB);
        } finally {
            r.release();
        }
    }

    private boolean open() {
        BackendNode master = ctx.topology().current().master();
        conn = master.dedicated(loop, session.loopIndex(), session.protocol(), session.db());
        if (conn == null) {
            return false;
        }
        conn.stream(this);
        return true;
    }

    @Override
    public void onFrame(ByteBuf frame) {
        if (client.discardsReplies()) {
            frame.release();
            return;
        }
        String kind = PubSubFrames.kind(frame);
        if (shards != null && kind != null && (kind.equals("ssubscribe") || kind.equals("sunsubscribe"))) {
            frame = shardConfirmation(kind, frame);
        } else if (kind != null && kind.endsWith("subscribe")
                && !subs.confirmed(kind, (List<?>) RespValues.read(frame.duplicate()))) {
            frame.release(); // a re-subscription's: the client never asked
            return;
        }
        client.push(frame); // the connection stays (idle) for a next subscribe until the client leaves
    }

    /**
     * Cluster mode: a node's SSUBSCRIBE or SUNSUBSCRIBE confirmation counts only that node's shard channels;
     * the client gets the count over every node, as one node holding them all would give it, and leaves
     * subscribed mode when nothing at all is left.
     */
    private ByteBuf shardConfirmation(String kind, ByteBuf frame) {
        String name = (String) ((List<?>) RespValues.read(frame.duplicate())).get(1);
        subs.shardConfirmed(kind, name);
        ByteBuf out = PubSubFrames.shardConfirmation(client.alloc(), frame.getByte(frame.readerIndex()), kind, name,
                session.protocol(), subs.count(Subscriptions.Kind.SHARD));
        frame.release();
        return out;
    }

    @Override
    public void onClosed(String reason) {
        conn = null;
        if (subs.confirmationsDue() && !client.discardsReplies()) {
            // a subscribe the connection took with it would never be confirmed: the client starts over, as with
            // a lost Redis connection, rather than wait forever
            client.closeNow();
            return;
        }
        resubscribe(0);
    }

    /**
     * Subscribes again on a new connection; the client keeps its subscriptions and its connection. While the
     * master is in its reconnect backoff this retries every {@link #RETRY_MS} ms, up to {@link #MAX_RETRIES}
     * times, then gives the client up (as a lost Redis connection would).
     */
    private void resubscribe(int attempt) {
        if (client.discardsReplies() || !subs.subscribed() || conn != null) {
            return;
        }
        if (!open()) {
            if (attempt >= MAX_RETRIES) {
                client.closeNow();
            } else {
                loop.schedule(() -> resubscribe(attempt + 1), RETRY_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return;
        }
        subs.resubscribing();
        resubscribe("SUBSCRIBE", subs.names(Subscriptions.Kind.CHANNEL));
        resubscribe("PSUBSCRIBE", subs.names(Subscriptions.Kind.PATTERN));
        resubscribe("SSUBSCRIBE", subs.names(Subscriptions.Kind.SHARD));
    }

    private void resubscribe(String command, Set<String> names) {
        if (names.isEmpty()) {
            return;
        }
        List<byte[]> args = new ArrayList<>();
        args.add(command.getBytes(StandardCharsets.US_ASCII));
        names.forEach(n -> args.add(n.getBytes(StandardCharsets.UTF_8)));
        RespRequest r = RespRequest.of(client.alloc(), args.toArray(new byte[0][]));
        conn.sendStreamed(r.frame()); // the connection takes the request's only reference
    }

    /** Follows the client's writability (see {@link BackendConnection#readFromServer}). */
    void clientWritable(boolean writable) {
        if (conn != null) {
            conn.readFromServer(writable);
        }
        if (shards != null) {
            shards.clientWritable(writable);
        }
    }

    /** RESET: every subscription ends, without unsubscribe messages (as on Redis), with its connection. */
    void reset() {
        subs.clear();
        clientClosed();
    }

    /** The client has gone: its subscriber connection goes too. */
    void clientClosed() {
        if (conn != null) {
            BackendConnection c = conn;
            conn = null;
            c.discard("client disconnected");
        }
        if (shards != null) {
            shards.close("client disconnected");
        }
    }

    /**
     * A command other than a subscribe or unsubscribe from a RESP2 client in subscribed mode: PING is answered
     * in subscribed mode's form, anything else gets Redis's own error for that context. Takes ownership.
     */
    void inSubscribedMode(RespRequest r, CommandSpec spec) {
        try {
            if (spec != null && spec.queuedInMulti() && spec.name().equals("ping")) {
                client.reply(PubSubFrames.subscribedPong(client.alloc(), r.argc() > 1 ? r.argBytes(1) : new byte[0]));
                return;
            }
            String name = spec != null ? spec.name() : r.argString(0).toLowerCase(java.util.Locale.ROOT);
            client.reply(LocalCommands.error(client, "ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / "
                    + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"));
        } finally {
            r.release();
        }
    }
}
