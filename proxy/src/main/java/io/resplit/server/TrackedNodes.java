package io.resplit.server;

import io.resplit.backend.BackendNode;
import io.resplit.cluster.ClusterDirectory;
import io.resplit.cluster.ClusterView;
import io.resplit.topology.Topology;
import io.resplit.tracking.InvalidationHub;
import java.util.ArrayList;
import java.util.List;

/**
 * The nodes client-side caching follows, as they are now: the master and its replicas, or in cluster mode the
 * master and replicas of every shard. Asked each time (the cluster is set up after the hub is made, and both
 * topology and map change while the proxy runs).
 */
final class TrackedNodes implements InvalidationHub.Nodes {
    private final ProxyContext ctx;

    TrackedNodes(ProxyContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public List<BackendNode> masters() {
        ClusterDirectory cluster = ctx.cluster();
        return cluster == null ? List.of(ctx.runtime().topology().master()) : cluster.view().masters();
    }

    @Override
    public List<BackendNode> all() {
        ClusterDirectory cluster = ctx.cluster();
        if (cluster == null) {
            return ctx.runtime().topology().nodes();
        }
        ClusterView view = cluster.view();
        List<BackendNode> out = new ArrayList<>(view.masters());
        for (Topology shard : view.shards()) {
            out.addAll(shard.replicas());
        }
        return out;
    }

    @Override
    public boolean isMaster(BackendNode node) {
        ClusterDirectory cluster = ctx.cluster();
        return cluster == null ? ctx.runtime().topology().master() == node : cluster.view().isMaster(node);
    }

    @Override
    public boolean contains(BackendNode node) {
        ClusterDirectory cluster = ctx.cluster();
        if (cluster == null) {
            Topology t = ctx.runtime().topology();
            return t.master() == node || t.replicas().contains(node);
        }
        return cluster.view().shardWith(node) != null;
    }
}
