package io.resplit.topology;

import static io.resplit.topology.NodeAddresses.find;

import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import io.resplit.topology.FailoverCoordinator.NodeLifecycle;
import io.resplit.topology.FailoverCoordinator.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology changes that are not a planned failover: the operator's REPLICA ADD / DRAIN / REMOVE and MASTER
 * SET, and following what an outside authority (the sentinels, the master's replica list, a role change) says
 * the nodes are. Nodes joining are created, and nodes leaving retired, through the {@link NodeLifecycle}; a
 * drained replica stays watched here until it is added back or removed. {@link FailoverCoordinator} calls
 * these one at a time.
 */
final class TopologyEdits {
    // the coordinator's category, as operators know these lines (docs/failover.md)
    private static final Logger log = LoggerFactory.getLogger(FailoverCoordinator.class);

    private final TopologyHolder topology;
    private final MasterChanges masterChanges;
    private final List<BackendNode> drainedNodes = new ArrayList<>();
    private NodeLifecycle nodes;

    TopologyEdits(TopologyHolder topology, MasterChanges masterChanges) {
        this.topology = topology;
        this.masterChanges = masterChanges;
    }

    void nodeLifecycle(NodeLifecycle lifecycle) {
        this.nodes = lifecycle;
    }

    /** REPLICA ADD host port weight: a new replica (it must already replicate the master) starts serving reads. */
    Outcome addReplica(HostPort address, int weight) {
        Topology t = topology.current();
        if (find(t.nodes(), address) != null) {
            return new Outcome(false, address + " is already in the topology", 0);
        }
        List<BackendNode> replicas = new ArrayList<>(t.replicas());
        BackendNode drained = find(drainedNodes, address);
        if (drained != null) {
            drainedNodes.remove(drained); // back from a drain: same node, same connections
        }
        BackendNode added = drained != null ? drained : nodes.create(address);
        added.weight(weight);
        replicas.add(added);
        topology.swap(new Topology(t.master(), replicas, t.sinceSample()));
        log.info("replica {} added", address);
        return new Outcome(true, "OK", 0);
    }

    /**
     * REPLICA DRAIN host port: the replica gets no new reads; reads in flight complete and the node stays
     * watched, so REPLICA ADD can bring it back. REPLICA REMOVE ({@code retire}) also stops watching it and
     * closes its connections once their replies are in.
     */
    Outcome removeReplica(HostPort address, boolean retire) {
        Topology t = topology.current();
        BackendNode node = find(t.replicas(), address);
        if (node == null) {
            BackendNode drained = find(drainedNodes, address);
            if (retire && drained != null) {
                drainedNodes.remove(drained);
                nodes.retire(drained);
                log.info("replica {} removed", address);
                return new Outcome(true, "OK", 0);
            }
            return new Outcome(false, address + " is not a replica in the topology", 0);
        }
        List<BackendNode> replicas = new ArrayList<>(t.replicas());
        replicas.remove(node);
        topology.swap(new Topology(t.master(), replicas, t.sinceSample()));
        if (retire) {
            nodes.retire(node);
            log.info("replica {} removed", address);
        } else {
            drainedNodes.add(node);
            log.info("replica {} drained: no new reads", address);
        }
        return new Outcome(true, "OK", 0);
    }

    /** MASTER SET host port: operators promoted a node themselves; the proxy follows. */
    Outcome masterSet(HostPort address) {
        Topology before = topology.current();
        BackendNode next = find(before.nodes(), address);
        if (next == null) {
            return new Outcome(false, address + " is not in the proxy's topology (add it as a replica first)", 0);
        }
        List<BackendNode> replicas = new ArrayList<>(before.nodes());
        replicas.remove(next);
        topology.swap(Topology.changedTo(next, replicas));
        log.info("master set to {}", address);
        masterChanges.changed(before.master(), next, "master set", 0);
        return new Outcome(true, "OK", 0);
    }

    /**
     * Makes the topology {@code master} plus {@code replicas}, as an outside authority says it is: see {@link
     * FailoverCoordinator#follow}. {@code authority}: who said so, for the listeners (null: a role change).
     */
    boolean follow(HostPort master, List<HostPort> replicas, Predicate<HostPort> confirm, String authority) {
        Topology before = topology.current();
        BackendNode known = master == null ? before.master() : find(before.nodes(), master);
        if (known != before.master() && !confirm.test(master)) {
            return false;
        }
        BackendNode nextMaster = known != null ? known : nodes.create(master);
        List<BackendNode> nextReplicas = new ArrayList<>();
        for (HostPort r : replicas) {
            if (find(List.of(nextMaster), r) != null || find(nextReplicas, r) != null) {
                continue;
            }
            BackendNode n = find(before.nodes(), r);
            nextReplicas.add(n != null ? n : nodes.create(r));
        }
        boolean masterChanged = nextMaster != before.master();
        if (masterChanged && find(nextReplicas, before.master().address()) == null) {
            // the old master stays watched as a replica until the authority stops naming it
            nextReplicas.add(before.master());
        }
        if (!masterChanged && nextReplicas.equals(before.replicas())) {
            return false;
        }
        List<BackendNode> gone = new ArrayList<>(before.nodes());
        gone.remove(nextMaster);
        gone.removeAll(nextReplicas);
        topology.swap(masterChanged ? Topology.changedTo(nextMaster, nextReplicas)
                : new Topology(nextMaster, nextReplicas, before.sinceSample()));
        for (BackendNode n : gone) {
            log.info("node {} left the topology", n.address());
            nodes.retire(n);
        }
        for (BackendNode n : nextReplicas) {
            if (find(before.nodes(), n.address()) == null) {
                log.info("replica {} joined the topology", n.address());
            }
        }
        if (masterChanged) {
            log.warn("master is now {} (was {})", nextMaster.address(), before.master().address());
            masterChanges.changed(before.master(), nextMaster, "followed " + (authority == null ? "a role change"
                    : authority), 0);
        }
        return true;
    }
}
