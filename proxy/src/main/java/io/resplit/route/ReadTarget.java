package io.resplit.route;

import io.resplit.backend.BackendNode;
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
        BackendNode replica = policy.choose(topology.replicas(), minOffset, exclude, !master.isUp());
        return replica != null ? replica : master;
    }
}
