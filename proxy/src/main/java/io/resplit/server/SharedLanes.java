package io.resplit.server;

import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.route.ReadTarget;
import io.resplit.route.ReadYourWrites;
import io.resplit.topology.Topology;

/**
 * One client's way onto the shared lanes (its reads and writes that need no connection of their own): which
 * replica a read may go to, and the client's connection to a node, one per node so that its own requests stay
 * in order there. Event loop only.
 */
final class SharedLanes {
    private final ProxyContext ctx;
    private final ClientSession session;
    private final EventLoop loop;

    SharedLanes(ProxyContext ctx, ClientSession session, EventLoop loop) {
        this.ctx = ctx;
        this.session = session;
        this.loop = loop;
    }

    /**
     * The replica for a read of this client, other than {@code exclude}: one that has the client's last write
     * (read-your-writes), within the lag limit, as the replica policy picks; the master when none may serve.
     */
    BackendNode replicaFor(Topology topology, BackendNode exclude) {
        long fence = session.readYourWrites().minReplicaOffset(topology.master());
        if (fence == ReadYourWrites.MASTER_ONLY) {
            ctx.metrics().readsRedirectedToMaster().increment();
        }
        // the limit in force now, as the caller's topology is: a read routed again goes by the current settings
        return ReadTarget.choose(topology, fence, ctx.runtime().config().replicaMaxLag(), ctx.replicaPolicy(), exclude);
    }

    /** The client's connection to {@code node} under the database and protocol {@code p} was sent under. */
    BackendConnection connection(BackendNode node, PendingReply p) {
        return node.connection(loop, session.loopIndex(), p.protocol(), p.db, (int) session.id());
    }

    /** The client's connection to {@code node} under its current database and protocol. */
    BackendConnection connection(BackendNode node) {
        return node.connection(loop, session.loopIndex(), session.protocol(), session.db(), (int) session.id());
    }
}
