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
    BackendNode choose(List<BackendNode> replicas, long minOffset, BackendNode exclude);
}
