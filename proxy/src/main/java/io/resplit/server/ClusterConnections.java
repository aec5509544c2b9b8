package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import io.resplit.topology.Topology;

/**
 * The connection a cluster call goes on once its node is chosen ({@link ClusterTargets}): a blocking command's
 * own (sent again after a redirection or retry with the time it had left, as {@link BlockingRetry} does for a
 * failover in master/replica mode), the node's shared one, or the master's when the chosen replica is in a
 * reconnect backoff. While a node runs a long script (its health check was answered BUSY) a call for its shared
 * connections, which may be the one the script runs on, gets the node's BUSY error at once, as in
 * master/replica mode; commands Redis runs meanwhile (flag allow_busy) take a connection of their own. On the
 * client's event loop only.
 */
final class ClusterConnections {
    /**
     * Where a call goes: {@code conn} on {@code node} ({@code own}: a connection of the call's own), or null
     * when the node cannot be reached now; or, instead of sending, {@code answer} (BUSY, a blocking command's
     * time used up), an error when {@code error}.
     */
    record Link(BackendNode node, BackendConnection conn, boolean own, ByteBuf answer, boolean error) {
    }

    private final ClientHandler client;
    private final ClientSession session;
    private final EventLoop loop;

    ClusterConnections(ClientHandler client, ClientSession session, EventLoop loop) {
        this.client = client;
        this.session = session;
        this.loop = loop;
    }

    Link open(ShardCall c, BackendNode node, Topology shard) {
        PendingReply p = c.parent;
        boolean own = p.lane() == Route.BLOCKING;
        if (node.busy().isBusy() && !own) {
            if (p.spec == null || !p.spec.hasFlag("allow_busy")) {
                return new Link(node, null, false, RespWriter.error(client.alloc(), node.busy().error()), true);
            }
            own = true; // FUNCTION STATS, SCRIPT KILL's peers...: not behind the script on a shared connection
        }
        if (p.lane() == Route.BLOCKING) {
            if (p.blockedSince() == 0) {
                p.blockedSince(System.nanoTime());
            } else if (!shortenTimeout(c)) { // sent again, or tried again after no connection could be had
                return new Link(node, null, false, BlockingRetry.timedOut(client.alloc(), p.protocol()), false);
            }
        }
        if (own) {
            return new Link(node, node.dedicated(loop, session.loopIndex(), p.protocol(), 0), true, null, false);
        }
        BackendConnection conn = node.connection(loop, session.loopIndex(), p.protocol(), 0, (int) session.id());
        if (conn == null && shard != null && node != shard.master()) {
            node = shard.master(); // the replica is in a reconnect backoff: the master serves the read
            conn = node.connection(loop, session.loopIndex(), p.protocol(), 0, (int) session.id());
        }
        return new Link(node, conn, false, null, false);
    }

    /**
     * A blocking command sent again (MOVED, TRYAGAIN, CLUSTERDOWN, a lost node): its timeout shortened by the
     * time it has waited so far; false when none is left.
     */
    private boolean shortenTimeout(ShardCall c) {
        if (!BlockingRetry.shortenTimeout(c.parent, client.alloc())) {
            return false;
        }
        c.request = c.parent.request; // the call carries the parent's request, rewritten or not
        return true;
    }
}
