package io.resplit.topology;

import io.resplit.backend.BackendNode;
import java.util.List;

/** The master and the replicas that may serve reads, as one immutable snapshot. */
public record Topology(BackendNode master, List<BackendNode> replicas) {
    public Topology {
        replicas = List.copyOf(replicas);
    }

    /** Every node, master first. */
    public List<BackendNode> nodes() {
        java.util.ArrayList<BackendNode> all = new java.util.ArrayList<>(replicas.size() + 1);
        all.add(master);
        all.addAll(replicas);
        return all;
    }
}
