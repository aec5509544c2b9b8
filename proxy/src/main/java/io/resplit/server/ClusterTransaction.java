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
    private final ClientHandler client;
    private final ClientSession session;
    private final PinnedConnection pinned;
    private final List<RespRequest> deferred = new ArrayList<>(2); // sent ahead once the node is known
    private BackendNode node; // the pinned master, or null
    private int slot = ClusterKeys.NO_KEYS;
    private boolean ending;   // EXEC, DISCARD or a last UNWATCH was sent: the next transaction starts afresh

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
        int keySlot = p.spec == null ? ClusterKeys.NO_KEYS : ClusterKeys.slot(p.spec, p.request);
        if (keySlot == ClusterKeys.CROSS_SLOT || keySlot >= 0 && slot >= 0 && keySlot != slot) {
            if (session.inMulti()) {
                session.markMultiDirty();
            } else if (node == null && p.spec != null && "watch".equals(p.spec.name())) {
                session.watching(false); // nothing is watched: the refused WATCH pins nothing
            }
            answer(p, RespWriter.error(client.alloc(), ClusterKeys.CROSSSLOT_ERROR));
            return null;
        }
        if (node == null && keySlot == ClusterKeys.NO_KEYS && p.spec != null && !p.endsPin) {
            deferred.add(p.request); // MULTI, PING inside MULTI, ...: answered now, sent once a key says where
            p.request = null;
            answer(p, "multi".equals(p.spec.name()) ? Replies.ok()
                    : RespWriter.simple(client.alloc(), "QUEUED"));
            return null;
        }
        if (node == null) {
            Topology shard = keySlot >= 0 ? view.shard(keySlot) : view.shards().isEmpty() ? null : view.shards().get(0);
            if (shard == null) {
                answer(p, RespWriter.error(client.alloc(), "CLUSTERDOWN Hash slot not served"));
                return null;
            }
            node = shard.master();
        }
        if (keySlot >= 0) {
            slot = keySlot;
        }
        if (pinned.lost()) {
            lost();
            return null;
        }
        BackendConnection conn = pinned.acquire(node, p.protocol, 0);
        if (conn == null) {
            lost();
            return null;
        }
        for (RespRequest r : deferred) {
            conn.send(r.frame(), ReplyCallback.IGNORE); // the connection takes the request's only reference
        }
        deferred.clear();
        ending = p.endsPin;
        return conn;
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

    /** No pinned request is in flight: once the transaction and WATCH are over, the connection goes back. */
    void idle() {
        if (ending) {
            end();
        }
    }

    /** The pinned connection failed: its transaction state is gone, and so is the client's connection. */
    void failed() {
        pinned.forget();
        node = null;
        slot = ClusterKeys.NO_KEYS;
        client.closeNow();
    }

    private void end() {
        ending = false;
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
        return session.inMulti() || p.route == Route.PINNED;
    }
}
