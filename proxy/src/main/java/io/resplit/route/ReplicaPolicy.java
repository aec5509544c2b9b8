package io.resplit.route;

import io.resplit.backend.BackendNode;
import java.util.List;

/** Picks the replica that serves a read. Implementations are driven by tests without sockets. */
public interface ReplicaPolicy {
    /**
     * A replica fit to serve reads whose replication offset has reached {@code minOffset}, or null when none is
     * (the caller then reads from the master).
     *
     * @param exclude a node that just failed this request, or null
     */
    default BackendNode choose(List<BackendNode> replicas, long minOffset, BackendNode exclude) {
        return choose(replicas, minOffset, exclude, false);
    }

    /**
     * As {@link #choose(List, long, BackendNode)}; with {@code masterDown}, a replica whose link to the dead
     * master is down still qualifies (its data is as fresh as it will get until a failover), as Redis's
     * replica-serve-stale-data does.
     */
    BackendNode choose(List<BackendNode> replicas, long minOffset, BackendNode exclude, boolean masterDown);
}
