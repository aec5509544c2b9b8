package io.resplit.topology;

import io.resplit.backend.BackendNode;
import java.util.List;

/**
 * The master and the replicas that may serve reads, as one immutable snapshot.
 *
 * @param sinceSample the health-check sequence number when this topology was set: samples numbered at or
 *                    below it may describe roles from before the change
 */
public record Topology(BackendNode master, List<BackendNode> replicas, long sinceSample) {
    public Topology {
        replicas = List.copyOf(replicas);
    }

    public Topology(BackendNode master, List<BackendNode> replicas) {
        this(master, replicas, 0);
    }

    /** A new topology with {@code master}, taking effect now (samples from before are stale for roles). */
    public static Topology changedTo(BackendNode master, List<BackendNode> replicas) {
        return new Topology(master, replicas, master.lastSentSampleSeq());
    }

    /** Every node, master first. */
    public List<BackendNode> nodes() {
        java.util.ArrayList<BackendNode> all = new java.util.ArrayList<>(replicas.size() + 1);
        all.add(master);
        all.addAll(replicas);
        return all;
    }
}
