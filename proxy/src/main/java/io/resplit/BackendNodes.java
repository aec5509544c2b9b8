package io.resplit;

import io.netty.channel.EventLoopGroup;
import io.resplit.backend.BackendConnector;
import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeMonitor;
import io.resplit.cluster.ClusterDirectory;
import io.resplit.config.HostPort;
import io.resplit.config.ProxyConfig;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.topology.FailoverCoordinator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of every backend node, whoever adds it (the config, the sentinels, the failover coordinator, the
 * cluster's map): created with its health checks ({@link NodeMonitor}) and meters, retired with them.
 */
final class BackendNodes implements ClusterDirectory.Nodes, FailoverCoordinator.NodeLifecycle {
    private static final Logger log = LoggerFactory.getLogger(BackendNodes.class);

    private final ProxyConfig config;
    private final BackendConnector connector;
    private final EventLoopGroup workers;
    private final int loops;
    private final ProxyMetrics metrics;
    private final Map<BackendNode, NodeMonitor> monitors = new ConcurrentHashMap<>();
    // the master of a node's shard (or of the proxy); none until the topology is published
    private volatile UnaryOperator<BackendNode> masterOf = n -> null;

    /** @param loops the I/O threads in {@code workers}: each node keeps its connections per loop */
    BackendNodes(ProxyConfig config, BackendConnector connector, EventLoopGroup workers, int loops,
                 ProxyMetrics metrics) {
        this.config = config;
        this.connector = connector;
        this.workers = workers;
        this.loops = loops;
        this.metrics = metrics;
    }

    /** How a node's meters find its master (null when it is in no shard now), once the topology exists. */
    void masterOf(UnaryOperator<BackendNode> finder) {
        this.masterOf = finder;
    }

    @Override
    public BackendNode create(HostPort address) {
        BackendNode n = new BackendNode(address, connector, loops, config.databases(),
                config.backendConnections(), config.blockingPoolSize());
        meter(n);
        NodeMonitor m = new NodeMonitor(n, workers.next(), config.healthCheckIntervalMs(),
                config.healthCheckTimeoutMs());
        monitors.put(n, m);
        m.start();
        return n;
    }

    @Override
    public void retire(BackendNode n) {
        NodeMonitor m = monitors.remove(n);
        if (m != null) {
            m.stop();
        }
        n.retire(config.connectTimeoutMs());
        metrics.removeBackend(n.address().toString());
    }

    /** Stops every node's health checks (at shutdown). */
    void stopMonitors() {
        monitors.values().forEach(NodeMonitor::stop);
    }

    /** The meters of one node; the current topology (in cluster mode its shard) says whether it is the master. */
    private void meter(BackendNode n) {
        metrics.backend(n.address().toString(), n, x -> x.isUp() ? 1 : 0,
                x -> masterOf.apply(x) == x ? 1 : 0,
                x -> {
                    BackendNode m = masterOf.apply(x);
                    long master = m == null ? -1 : m.state().offset();
                    long mine = x.state().offset();
                    return m == x || master < 0 || mine < 0 ? 0 : Math.max(0, master - mine);
                },
                BackendNode::inflight, BackendNode::downEvents,
                x -> x.state().latencyMicros() < 0 ? 0 : x.state().latencyMicros() / 1e6,
                BackendNode::connectionsOpened);
    }

    /** Waits (bounded) until every node was checked once, so the first clients find the nodes classified. */
    void awaitFirstChecks(List<BackendNode> nodes) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs() + 500L);
        for (BackendNode n : nodes) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                n.firstCheck().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                log.warn("backend {} did not answer its first health check in time", n.address());
            }
            if (!n.isUp()) {
                log.warn("backend {} is down at start: {}", n.address(), n.state().reason());
            }
        }
    }
}
