package io.resplit;

import io.resplit.backend.BackendCredentials;
import io.resplit.config.ProxyConfig;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.sentinel.SentinelPromotion;
import io.resplit.sentinel.SentinelWatcher;
import io.resplit.server.ProxyContext;
import io.resplit.topology.FailoverCoordinator;
import io.resplit.topology.ReplicaDiscovery;
import io.resplit.topology.RoleWatcher;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The failover coordinator, through which every change of master or replicas goes, and then what drives it: the
 * sentinels in Sentinel mode, otherwise the role watcher and replica discovery (in cluster mode the cluster
 * moves its masters itself).
 */
final class FailoverStart {
    private FailoverStart() {
    }

    /** The coordinator, with what follows a master change (the master's command table) and its meters. */
    static FailoverCoordinator coordinator(ProxyConfig config, ProxyContext context, BackendCredentials credentials,
                                           BackendNodes nodes, ProxyMetrics metrics) {
        FailoverCoordinator failover = new FailoverCoordinator(context.topology(), context.writeGate(),
                credentials, config.connectTimeoutMs());
        MasterIntrospection introspection = new MasterIntrospection(config, context);
        failover.onMasterChanged(change -> introspection.refresh(change.to())); // its COMMAND table and version
        failover.nodeLifecycle(nodes);
        metrics.failovers(failover, f -> f.completed(), f -> f.aborted(), f -> f.lastPauseMicros() / 1e6,
                f -> context.writeGate().waiting());
        ProxyMetrics.Latency pauses = metrics.failoverWritePauses();
        failover.onPause(micros -> pauses.recordNanos(micros * 1000));
        return failover;
    }

    /**
     * Starts what moves the master through {@code failover}.
     *
     * @param sentinels the watcher in Sentinel mode, else null
     */
    static void follow(ProxyConfig config, FailoverCoordinator failover, ProxyContext context,
                       SentinelWatcher sentinels, ScheduledExecutorService control) {
        if (sentinels != null) {
            // the sentinels decide; a node's own claim to be master is never followed in this mode
            failover.promotion(new SentinelPromotion(sentinels, failover.calls(), config.connectTimeoutMs()));
            failover.managedBy("the sentinels", sentinels::status);
            sentinels.start(failover, context.topology());
        } else if (!config.ha().clusterMode()) {
            // off the event loops: following a role change or adding a node waits while a failover holds the
            // coordinator, and an event loop must never wait
            long every = config.healthCheckIntervalMs();
            control.scheduleWithFixedDelay(new RoleWatcher(context.topology(), failover), every, every,
                    TimeUnit.MILLISECONDS);
            if (config.ha().replicaDiscovery()) {
                control.scheduleWithFixedDelay(new ReplicaDiscovery(context.topology(), failover), every, every,
                        TimeUnit.MILLISECONDS);
            }
        }
    }
}
