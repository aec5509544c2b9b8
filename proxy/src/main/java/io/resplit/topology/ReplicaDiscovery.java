package io.resplit.topology;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import io.resplit.config.HostPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code replica-discovery yes}: a replica the master lists in its {@code INFO replication} joins the topology
 * by itself (no REPLICA ADD), under the address the master sees it at; one that this class added and that the
 * master has not listed for {@link #GRACE_NANOS} leaves again. Replicas from the config file or REPLICA ADD
 * are never removed here. Reads the master's health-check samples; runs on a control thread.
 */
public final class ReplicaDiscovery implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaDiscovery.class);
    /** A replica restarting or resynchronising drops off the master's list for a while; it is not gone. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final TopologyHolder topology;
    private final FailoverCoordinator coordinator;
    private final Map<HostPort, Long> discovered = new HashMap<>(); // added here -> last listed (nanoTime)

    public ReplicaDiscovery(TopologyHolder topology, FailoverCoordinator coordinator) {
        this.topology = topology;
        this.coordinator = coordinator;
    }

    @Override
    public void run() {
        if (coordinator.inProgress()) {
            return;
        }
        long generation = coordinator.generation();
        Topology t = topology.current();
        NodeState master = t.master().state();
        if (!master.up() || master.info() == null || !master.info().isMaster()) {
            return; // only a live master's own list counts
        }
        long now = System.nanoTime();
        List<HostPort> replicas = new ArrayList<>();
        t.replicas().forEach(n -> replicas.add(n.address()));
        List<HostPort> joining = new ArrayList<>();
        for (HostPort listed : master.info().replicas()) {
            if (discovered.containsKey(listed)) {
                discovered.put(listed, now);
            } else if (!known(t, listed)) {
                joining.add(listed);
                replicas.add(listed);
            }
        }
        List<HostPort> leaving = new ArrayList<>();
        for (Map.Entry<HostPort, Long> e : discovered.entrySet()) {
            if (now - e.getValue() > GRACE_NANOS) {
                leaving.add(e.getKey());
                replicas.removeIf(r -> FailoverCoordinator.sameNode(r, e.getKey()));
            }
        }
        if ((!joining.isEmpty() || !leaving.isEmpty())
                && coordinator.follow(null, replicas, address -> true, generation)) {
            // only once the topology took the change: a refused one (a failover ran) is tried again next time
            joining.forEach(r -> {
                log.info("replica-discovery: the master lists {}; it joined the topology", r);
                discovered.put(r, now);
            });
            leaving.forEach(r -> {
                log.info("replica-discovery: the master has not listed {} for {} s; it left the topology", r,
                        TimeUnit.NANOSECONDS.toSeconds(GRACE_NANOS));
                discovered.remove(r);
            });
        }
    }

    private static boolean known(Topology t, HostPort address) {
        for (BackendNode n : t.nodes()) {
            if (FailoverCoordinator.sameNode(n.address(), address)) {
                return true;
            }
        }
        return false;
    }
}
