package io.resplit;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.cluster.ClusterDirectory;
import io.resplit.cluster.ClusterView;
import io.resplit.config.ProxyConfig;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.server.ProxyContext;
import io.resplit.topology.Topology;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Cluster mode's start-up ({@code cluster-node} lines): the directory with its first slot map read, then, once
 * the proxy's context exists, the map's changes followed by the context's topology and by the meters.
 */
final class ClusterStart {
    /** How often the cluster's slot map is read again, besides after redirections. */
    private static final long REFRESH_MS = 1000;

    private ClusterStart() {
    }

    /**
     * The cluster's nodes and slot map, read from the first seed that answers.
     *
     * @throws IllegalStateException when no seed answers with a slot map
     */
    static ClusterDirectory open(ProxyConfig config, BackendCredentials credentials, BackendNodes nodes,
                                 ScheduledExecutorService control) {
        ClusterDirectory cluster = new ClusterDirectory(config.ha().clusterNodes(), credentials,
                config.connectTimeoutMs(), nodes, control);
        if (!cluster.refresh()) {
            throw new IllegalStateException("cluster mode: no cluster-node " + config.ha().clusterNodes()
                    + " answered CLUSTER SHARDS or CLUSTER SLOTS with a slot map");
        }
        return cluster;
    }

    /** INFO, CONFIG GET, MONITOR and SUBSCRIBE go to one node: the master of the shard serving slot 0. */
    static Topology oneNodeTopology(ClusterView view) {
        return view.shardsBySlot().get(0);
    }

    /** Hands the directory to the context, keeps its topology and the meters on the map, starts reading it. */
    static void follow(ClusterDirectory cluster, ProxyContext context, ProxyMetrics metrics) {
        context.cluster(cluster);
        cluster.onChange(view -> context.topology().swap(oneNodeTopology(view)));
        cluster.onChange(view -> metrics.clusterShards(view.shardNames()));
        metrics.clusterShards(cluster.view().shardNames());
        metrics.cluster(cluster, c -> c.view().shardsBySlot().size(), c -> c.view().slotsServed(),
                ClusterDirectory::changes, ClusterDirectory::movedCount, ClusterDirectory::askCount,
                ClusterDirectory::retryCount);
        cluster.start(REFRESH_MS);
    }

    /** The master of {@code x}'s shard (the master itself for a master); null when it is in none now. */
    static BackendNode masterOf(ClusterDirectory cluster, BackendNode x) {
        ClusterView view = cluster.view();
        Topology shard = view == null ? null : view.shardWith(x);
        return shard == null ? null : shard.master();
    }
}
