package io.resplit.topology;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows role changes made outside the proxy (someone ran REPLICAOF NO ONE, Redis's own FAILOVER, a
 * Sentinel): when the node the proxy treats as master reports itself a replica and exactly one other node
 * reports itself master, that node becomes the master in the proxy's topology. Runs at the health-check
 * interval from the samples the monitors already take; never while the proxy runs a failover itself.
 */
public final class RoleWatcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RoleWatcher.class);

    private final TopologyHolder topology;
    private final FailoverCoordinator coordinator;

    public RoleWatcher(TopologyHolder topology, FailoverCoordinator coordinator) {
        this.topology = topology;
        this.coordinator = coordinator;
    }

    @Override
    public void run() {
        if (coordinator.inProgress()) {
            return;
        }
        Topology t = topology.current();
        NodeState master = t.master().state();
        if (master.info() == null || master.info().isMaster() || master.sampleSeq() <= t.sinceSample()) {
            return; // still master, nothing known yet, or a sample from before the last change
        }
        List<BackendNode> claimants = new ArrayList<>();
        for (BackendNode n : t.replicas()) {
            NodeState s = n.state();
            if (s.up() && s.info() != null && s.info().isMaster() && s.sampleSeq() > t.sinceSample()) {
                claimants.add(n);
            }
        }
        if (claimants.size() == 1) {
            log.warn("role change outside the proxy: {} reports role {}, {} reports master; following it",
                    t.master().address(), master.info().role(), claimants.get(0).address());
            coordinator.masterSet(claimants.get(0).address());
        }
    }
}
