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
    /** The most reads in a row that follow an unanswered one to its replica before the policy picks again. */
    static final int RUN = 32;

    private final ProxyContext ctx;
    private final ClientSession session;
    private final EventLoop loop;
    private BackendNode runNode; // the replica of the client's last replica read, or null
    private int runLeft; // reads that may still follow it there

    SharedLanes(ProxyContext ctx, ClientSession session, EventLoop loop) {
        this.ctx = ctx;
        this.session = session;
        this.loop = loop;
    }

    /**
     * The replica for a read of this client, other than {@code exclude}: one that has the client's last write
     * (read-your-writes), within the lag limit, as the replica policy picks; the master when none may serve.
     *
     * <p>A read sent while the client's previous replica read is still unanswered ({@code followsUnanswered})
     * goes where that one went, while that replica stays fit, up to {@link #RUN} reads in a row: one
     * connection answers in order, so the pipeline's replies are written as they come instead of being kept
     * until an earlier one arrives from another replica. Reads that wait for each other's replies (no
     * pipeline) are each spread by the policy.
     */
    BackendNode replicaFor(Topology topology, BackendNode exclude, boolean followsUnanswered) {
        long fence = session.readYourWrites().minReplicaOffset(topology.master());
        if (fence == ReadYourWrites.MASTER_ONLY) {
            ctx.metrics().readsRedirectedToMaster().increment();
        }
        BackendNode previous = followsUnanswered && exclude == null && runLeft > 0 ? runNode : null;
        // the limit in force now, as the caller's topology is: a read routed again goes by the current settings
        BackendNode node = ReadTarget.choose(topology, fence, ctx.runtime().config().replicaMaxLag(),
                ctx.replicaPolicy(), exclude, previous);
        if (node == previous) {
            runLeft--;
        } else {
            runNode = node == topology.master() ? null : node;
            runLeft = RUN - 1;
        }
        return node;
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
