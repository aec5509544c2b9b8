package io.resplit.route;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import java.util.List;

/**
 * Sends each read to the eligible replica with the fewest requests in flight, so a slow or distant replica gets
 * less work; ties rotate round-robin so equal replicas share the load evenly.
 */
public final class LeastOutstandingPolicy implements ReplicaPolicy {
    private int next; // racy by design: only spreads ties, any value is correct

    @Override
    public BackendNode choose(List<BackendNode> replicas, long minOffset, BackendNode exclude) {
        int n = replicas.size();
        if (n == 0) {
            return null;
        }
        int start = next++ & Integer.MAX_VALUE;
        BackendNode best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            BackendNode node = replicas.get((start + k) % n);
            if (node == exclude) {
                continue;
            }
            NodeState s = node.state();
            if (!s.servesReads() || s.offset() < minOffset) {
                continue;
            }
            int load = node.inflight();
            if (load < bestLoad) {
                best = node;
                bestLoad = load;
            }
        }
        return best;
    }
}
