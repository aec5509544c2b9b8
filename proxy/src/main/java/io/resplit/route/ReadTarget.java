package io.resplit.route;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import io.resplit.topology.Topology;

/**
 * Which node serves a read: a replica the {@link ReplicaPolicy} picks among those that have the client's last
 * write (its read-your-writes fence) and are within {@code replica-max-lag} of the master's last sampled
 * offset, or the master when none is. A pure function of the topology snapshot and the session's fence.
 */
public final class ReadTarget {
    private ReadTarget() {
    }

    /**
     * @param fence     the lowest replica offset that has the client's writes, or {@link ReadYourWrites#MASTER_ONLY}
     * @param maxLag    {@code replica-max-lag} in bytes, 0 for none
     * @param exclude   a node that just failed this read, or null
     */
    public static BackendNode choose(Topology topology, long fence, long maxLag, ReplicaPolicy policy,
                                     BackendNode exclude) {
        return choose(topology, fence, maxLag, policy, exclude, null);
    }

    /**
     * As {@link #choose(Topology, long, long, ReplicaPolicy, BackendNode)}, but {@code previous}, when it is one
     * of the topology's replicas and fit to serve this read, serves it without asking the policy: a client's
     * pipelined reads that follow an unanswered one to the same replica come back in the order they were sent.
     *
     * @param previous  the replica to keep to while it is fit, or null to let the policy pick
     */
    public static BackendNode choose(Topology topology, long fence, long maxLag, ReplicaPolicy policy,
                                     BackendNode exclude, BackendNode previous) {
        BackendNode master = topology.master();
        if (fence == ReadYourWrites.MASTER_ONLY) {
            return master;
        }
        long minOffset = fence;
        long masterOffset = master.state().offset();
        if (maxLag > 0 && masterOffset > maxLag) {
            // a replica too far behind the master's last sampled offset serves nobody's reads
            minOffset = Math.max(minOffset, masterOffset - maxLag);
        }
        boolean masterDown = !master.isUp();
        if (previous != null && fit(previous, minOffset, exclude, masterDown) && topology.replicas().contains(previous)) {
            return previous;
        }
        BackendNode replica = policy.choose(topology.replicas(), minOffset, exclude, masterDown);
        return replica != null ? replica : master;
    }

    /**
     * Whether {@code node} may serve a read: not {@code exclude}, not busy with a long read-only script, serving
     * reads (or, while the master is down, stale reads, as replica-serve-stale-data allows) and at
     * {@code minOffset} or beyond. The same test for every policy.
     */
    public static boolean fit(BackendNode node, long minOffset, BackendNode exclude, boolean masterDown) {
        NodeState s = node.state();
        // a replica busy with a long EVAL_RO / FCALL_RO answers nothing else meanwhile
        return node != exclude && !node.busy().isBusy() && (s.servesReads() || masterDown && s.servesStaleReads())
                && s.offset() >= minOffset;
    }
}
