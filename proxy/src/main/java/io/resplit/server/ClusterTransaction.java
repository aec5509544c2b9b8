package io.resplit.server;

import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.backend.ReplyCallback;
import io.resplit.cluster.ClusterKeys;
import io.resplit.cluster.ClusterView;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import io.resplit.topology.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * MULTI/EXEC and WATCH in cluster mode: as on a cluster node, every key of a transaction (and of WATCH before
 * it) must be in one slot, and the transaction runs on a connection pinned to that slot's master. The slot is
 * known only at the first keyed command, so until then MULTI and keyless commands are answered here (+OK,
 * +QUEUED) and kept; they are sent, their replies dropped, ahead of the first keyed command once the
 * connection is pinned (or ahead of EXEC/DISCARD when the transaction has no keys: any master then). A
 * command for another slot is refused with Redis's CROSSSLOT error and makes EXEC abort, as a queueing error
 * does. Runs on the client's event loop only.
 */
final class ClusterTransaction {
    private static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    private final ClientHandler client;
    private final ClientSession session;
    private final PinnedConnection pinned;
    private final List<RespRequest> deferred = new ArrayList<>(2); // sent ahead once the node is known
    private BackendNode node; // the pinned master, or null
    private int slot = ClusterKeys.NO_KEYS;
    private boolean ending;   // EXEC, DISCARD or a last UNWATCH was sent: the next transaction starts afresh
    private boolean inMulti;  // MULTI went through here: a refusal from now on aborts the transaction
    private boolean refused;  // a command of this transaction was refused: EXEC answers EXECABORT

    ClusterTransaction(ClientHandler client, ClientSession session, io.netty.channel.EventLoop loop) {
        this.client = client;
        this.session = session;
        this.pinned = new PinnedConnection(loop, session.loopIndex());
    }

    /**
     * The connection {@code p} goes on, with what was deferred sent ahead of it; null when {@code p} was
     * answered here (deferred, refused) or no connection could be had (the client is then closed, as after a
     * lost transaction connection).
     */
    BackendConnection connectionFor(PendingReply p, ClusterView view) {
        if (refused) {
            answerRefused(p);
            return null;
        }
        if (p.spec != null && "multi".equals(p.spec.name())) {
            inMulti = true;
        }
        int keySlot = p.spec == null ? ClusterKeys.NO_KEYS : ClusterKeys.slot(p.spec, p.request);
        if (keySlot == ClusterKeys.CROSS_SLOT || keySlot >= 0 && slot >= 0 && keySlot != slot) {
            if (!inMulti && node == null && p.spec != null && "watch".equals(p.spec.name())) {
                session.watching(false); // nothing is watched: the refused WATCH pins nothing
            }
            refuse(p, ClusterKeys.CROSSSLOT_ERROR);
            return null;
        }
        if (node == null && keySlot == ClusterKeys.NO_KEYS && p.spec != null && !p.endsPin()) {
            deferred.add(p.request); // MULTI, PING inside MULTI, ...: answered now, sent once a key says where
            p.request = null;
            answer(p, "multi".equals(p.spec.name()) ? Replies.ok()
                    : RespWriter.simple(client.alloc(), "QUEUED"));
            return null;
        }
        BackendNode target = node;
        if (target == null) {
            Topology shard = keySlot >= 0 ? view.shard(keySlot) : view.shards().isEmpty() ? null : view.shards().get(0);
            if (shard == null) {
                refuse(p, "CLUSTERDOWN Hash slot not served");
                return null;
            }
            target = shard.master();
        }
        if (pinned.lost()) {
            lost();
            return null;
        }
        BackendConnection conn = pinned.acquire(target, p.protocol(), 0);
        if (conn == null) { // the master is in a reconnect backoff: nothing was sent, nothing is lost yet
            refuse(p, "CLUSTERDOWN resplit: " + target.address() + " is unavailable: " + target.state().reason());
            return null;
        }
        node = target;
        if (keySlot >= 0) {
            slot = keySlot;
        }
        for (RespRequest r : deferred) {
            conn.send(r.frame(), ReplyCallback.IGNORE); // the connection takes the request's only reference
        }
        deferred.clear();
        ending = p.endsPin();
        return conn;
    }

    /**
     * {@code p} gets {@code error} instead of being sent; inside MULTI the transaction is refused as a whole
     * from now on, as Redis does after a queueing error: later commands are answered QUEUED here, and EXEC
     * EXECABORT. Decided here rather than by the session's flag, which EXEC may have passed already when the
     * refused command waited behind others.
     */
    private void refuse(PendingReply p, String error) {
        if (inMulti) {
            refused = true;
            session.markMultiDirty();
        }
        if (p.endsPin()) {
            finish(); // a refused EXEC, DISCARD or UNWATCH still ends the transaction and the WATCH
        }
        answer(p, RespWriter.error(client.alloc(), error));
    }

    /** A request of a transaction refused earlier: answered as Redis answers inside a transaction it will abort. */
    private void answerRefused(PendingReply p) {
        String name = p.spec == null ? "" : p.spec.name();
        if (!p.endsPin()) {
            answer(p, RespWriter.simple(client.alloc(), "QUEUED"));
            return;
        }
        finish();
        answer(p, "exec".equals(name) ? RespWriter.error(client.alloc(), EXECABORT) : Replies.ok());
    }

    /**
     * The transaction ends without its EXEC or DISCARD reaching the node: a connection on which MULTI went is
     * closed when it is given back rather than pooled inside MULTI, once its replies are in ({@link #idle}).
     */
    private void finish() {
        if (pinned.held()) {
            pinned.taint();
        }
        ending = true;
    }

    /**
     * A pinned call never reached its node: its connection closed before its handshake ended, so nothing of the
     * transaction or WATCH ran there. The call gets an error (EXECABORT for an EXEC after a refusal), the
     * transaction is refused, and what was watched is not watched; the client's connection stays.
     */
    private void notSent(PendingReply p, String reason) {
        pinned.forget();
        node = null;
        slot = ClusterKeys.NO_KEYS;
        if (!inMulti) {
            session.watching(false);
        }
        if (refused) {
            answerRefused(p);
        } else {
            refuse(p, "CLUSTERDOWN resplit: " + reason);
        }
    }

    /** Whether the request that ends the transaction is in flight: a new one waits until it is answered. */
    boolean ending() {
        return ending;
    }

    private void answer(PendingReply p, io.netty.buffer.ByteBuf reply) {
        if (p.request != null) {
            p.request.release();
            p.request = null;
        }
        client.complete(p, reply);
    }

    /** The pinned connection is gone before a request could use it: MULTI/WATCH state lost. */
    private void lost() {
        pinned.forget();
        client.closeNow();
    }

    /**
     * {@code pinnedInflight} of the client's pinned requests are in flight now: when none is, and the
     * transaction and WATCH are over, the connection goes back.
     */
    void settled(int pinnedInflight) {
        if (pinnedInflight == 0 && ending) {
            end();
        }
    }

    /**
     * A pinned call failed. When it may have reached the node, the transaction or WATCH state that lived on
     * that connection is gone: as with a lost Redis connection the client must start over, so it loses its
     * connection too rather than see commands run unqueued. When it never did ({@link #notSent}), it gets an
     * error and the client's connection stays.
     */
    void failed(PendingReply p, String reason, boolean maybeApplied, int pinnedInflight) {
        if (!maybeApplied && !client.discardsReplies()) {
            notSent(p, reason);
            settled(pinnedInflight);
            return;
        }
        pinned.forget();
        inMulti = false;
        refused = false;
        node = null;
        slot = ClusterKeys.NO_KEYS;
        client.closeNow();
    }

    private void end() {
        ending = false;
        inMulti = false;
        refused = false;
        if (pinned.held()) {
            pinned.release();
        }
        deferred.forEach(RespRequest::release);
        deferred.clear();
        node = null;
        slot = ClusterKeys.NO_KEYS;
    }

    /** The client has gone: the pinned connection is closed (it may be inside MULTI), not pooled. */
    void clientClosed() {
        deferred.forEach(RespRequest::release);
        deferred.clear();
        pinned.discard("client disconnected");
    }

    /**
     * Whether {@code p} belongs to the transaction lane: inside MULTI, or a transaction command (MULTI, EXEC,
     * DISCARD, WATCH, UNWATCH). Outside MULTI a watching client's other commands go their usual way: a node
     * sees a watched key's change on any connection, the client's own too, as Redis does.
     */
    static boolean pinnedLane(PendingReply p, ClientSession session) {
        return session.inMulti() || p.route() == Route.PINNED;
    }
}
