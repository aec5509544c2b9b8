package io.resplit.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Cluster mode's meters: the slot map as the proxy sees it, redirections and retries, each node's shard. */
final class ClusterMeters {
    private final MeterRegistry registry;

    ClusterMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    <T> void add(T source, ToDoubleFunction<T> shards, ToDoubleFunction<T> slotsServed,
                 ToDoubleFunction<T> mapChanges, ToDoubleFunction<T> moved, ToDoubleFunction<T> ask,
                 ToDoubleFunction<T> retries) {
        Gauge.builder("resplit.cluster.shards", source, shards)
                .description("Shards (masters serving slots) in the proxy's view of the cluster").register(registry);
        Gauge.builder("resplit.cluster.slots.served", source, slotsServed)
                .description("Hash slots a master serves in the proxy's view (16384 when the cluster is whole)")
                .register(registry);
        FunctionCounter.builder("resplit.cluster.map.changes", source, mapChanges)
                .description("Slot maps read that differed from the one before").register(registry);
        FunctionCounter.builder("resplit.cluster.redirects", source, moved).tag("kind", "moved")
                .description("Requests a node redirected and the proxy sent on, by kind").register(registry);
        FunctionCounter.builder("resplit.cluster.redirects", source, ask).tag("kind", "ask")
                .description("Requests a node redirected and the proxy sent on, by kind").register(registry);
        FunctionCounter.builder("resplit.cluster.retries", source, retries)
                .description("Requests sent again after TRYAGAIN, CLUSTERDOWN or an unreachable node")
                .register(registry);
    }

    /** Replaces every node's {@code resplit_cluster_node_shard} with those of {@code shardByNode}. */
    synchronized void shards(Map<String, String> shardByNode) {
        for (Meter m : registry.find("resplit.cluster.node.shard").meters()) {
            registry.remove(m);
        }
        shardByNode.forEach((node, shard) -> Gauge.builder("resplit.cluster.node.shard", () -> 1)
                .tag("node", node).tag("shard", shard)
                .description("1 for each node, labelled with the shard it belongs to (cluster mode)")
                .register(registry));
    }
}
