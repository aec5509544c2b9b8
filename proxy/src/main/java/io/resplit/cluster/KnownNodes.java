package io.resplit.cluster;

import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link BackendNode} of each cluster node address the proxy has heard of: created on first use (by a map,
 * or by a redirection naming a node no map has shown yet), and retired once the maps have left it out long
 * enough that it has really gone, not merely been missed by one read. Safe on any thread: event loops look
 * nodes up, the control thread creates and retires them.
 */
final class KnownNodes {
    // under the directory's name: every line about the cluster map comes from one logger
    private static final Logger log = LoggerFactory.getLogger(ClusterDirectory.class);
    /**
     * A node missing from every map read for this long (and from three at least) is retired: its connections
     * and health checks stop. Time, not a count: maps are also read after every MOVED and CLUSTERDOWN.
     */
    private static final long RETIRE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int RETIRE_AFTER_MISSING = 3;

    private final ClusterDirectory.Nodes lifecycle;
    private final int timeoutMs;
    private final Map<HostPort, BackendNode> nodes = new ConcurrentHashMap<>();
    private final Map<HostPort, Integer> missing = new ConcurrentHashMap<>();
    private final Map<HostPort, Long> missingSince = new ConcurrentHashMap<>();

    /** @param timeoutMs how long a retired node's connections in use get to finish */
    KnownNodes(ClusterDirectory.Nodes lifecycle, int timeoutMs) {
        this.lifecycle = lifecycle;
        this.timeoutMs = timeoutMs;
    }

    /** The node at {@code address}, created on first use. */
    BackendNode node(HostPort address) {
        return nodes.computeIfAbsent(address, lifecycle::create);
    }

    List<BackendNode> all() {
        return new ArrayList<>(nodes.values());
    }

    Set<HostPort> addresses() {
        return nodes.keySet();
    }

    /** A map listing {@code listed} was read: the nodes it left out long enough are retired. */
    void retireMissing(Set<HostPort> listed) {
        for (HostPort at : new ArrayList<>(nodes.keySet())) {
            if (listed.contains(at)) {
                missing.remove(at);
                missingSince.remove(at);
                continue;
            }
            int times = missing.merge(at, 1, Integer::sum);
            long since = missingSince.computeIfAbsent(at, a -> System.nanoTime());
            if (times >= RETIRE_AFTER_MISSING && System.nanoTime() - since >= RETIRE_AFTER_NANOS) {
                BackendNode gone = nodes.remove(at);
                missing.remove(at);
                missingSince.remove(at);
                if (gone != null) {
                    log.info("cluster node {} left the map: retired", at);
                    lifecycle.retire(gone);
                    gone.closeInUse("cluster node " + at + " left the map", timeoutMs);
                }
            }
        }
    }
}
