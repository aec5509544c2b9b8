package io.resplit.server;

import io.resplit.backend.BackendNode;
import io.resplit.cluster.ClusterView;
import io.resplit.route.ReadTarget;
import io.resplit.route.ReadYourWrites;
import io.resplit.route.Route;
import io.resplit.topology.Topology;

/**
 * Which node a cluster call goes to: where a redirection sent it (MOVED, ASK, a script reload), the node a
 * fan-out part was planned for (its shard's master now, if a failover demoted it), or the shard of its slot:
 * the master, or for a read a replica that has the client's writes ({@link ReadTarget}, per shard), unless
 * the slot is migrating. Keeps the client's read-your-writes fences current with the map. One per client, on
 * its event loop.
 */
final class ClusterTargets {
    /** Where {@code c} goes: {@code node}, in {@code shard} (null for a fixed or redirected call). */
    record Target(BackendNode node, Topology shard) {
    }

    private final ProxyContext ctx;
    private final ClusterLanes lanes;
    private Object fencedOwners; // the slot ownership this client's read-your-writes fences were last set under

    ClusterTargets(ProxyContext ctx, ClusterLanes lanes, ClusterView initial) {
        this.ctx = ctx;
        this.lanes = lanes;
        this.fencedOwners = initial.owners();
    }

    /**
     * The target of {@code c} under {@code view}; null when no master serves its slot, or when a read would go
     * to a master whose own last health check says it is a replica now: the view predates a failover, and that
     * node (READONLY, as every connection here) would serve the read from a copy that may lack the client's
     * writes, which went to the new master; the read waits for the next map.
     */
    Target choose(ShardCall c, ClusterView view, BackendNode exclude) {
        if (c.asking != null) {
            return new Target(c.asking, null);
        }
        if (c.fixed != null) {
            if (c.write && !view.isMaster(c.fixed)) {
                // a fan-out write planned for a master that a failover has made a replica: its shard's master now
                Topology now = view.shardWith(c.fixed);
                if (now != null) {
                    c.fixed = now.master();
                }
            }
            return new Target(c.fixed, null);
        }
        Topology shard = c.slot == ShardCall.ANY_SLOT ? anyShard(view) : view.shard(c.slot);
        if (shard == null) {
            return null;
        }
        if (readOnly(c) && demoted(shard.master())) {
            // either the view predates a failover or the sample does (the node was just promoted): a check now
            // settles it within a round trip, instead of the reads of the shard waiting for the next interval
            shard.master().requestCheck();
            return null;
        }
        if (c.parent.lane() != Route.REPLICA || c.slot >= 0 && view.migrating(c.slot)) {
            return new Target(shard.master(), shard);
        }
        long fence = fences(view).minReplicaOffset(shard.master());
        if (fence == ReadYourWrites.MASTER_ONLY) {
            ctx.metrics().readsRedirectedToMaster().increment();
        }
        // the limit in force now, as the view is the current one: calls retried or redirected come back here
        return new Target(ReadTarget.choose(shard, fence, ctx.runtime().config().replicaMaxLag(), ctx.replicaPolicy(),
                exclude), shard);
    }

    /** The client's read-your-writes fences, brought up to {@code view}'s slot owners. */
    io.resplit.route.ShardFences fences(ClusterView view) {
        if (view.owners() != fencedOwners) { // slots changed hands (not merely began to migrate)
            if (lanes.fences().hasWritten()) {
                lanes.fences().mapChanged(view.masters());
            }
            fencedOwners = view.owners();
        }
        return lanes.fences();
    }

    private static boolean readOnly(ShardCall c) {
        return c.parent.spec != null && c.parent.spec.hasFlag("readonly");
    }

    private static boolean demoted(BackendNode master) {
        io.resplit.backend.InfoReplication info = master.state().info();
        return info != null && !info.isMaster();
    }

    /** A keyless command: the first shard's master (any node would do). */
    private static Topology anyShard(ClusterView view) {
        return view.shards().isEmpty() ? null : view.shards().get(0);
    }
}
