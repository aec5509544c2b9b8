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
    public BackendNode choose(List<BackendNode> replicas, long minOffset, BackendNode exclude, boolean masterDown) {
        int n = replicas.size();
        int bestLoad = Integer.MAX_VALUE;
        int ties = 0;
        for (int k = 0; k < n; k++) {
            BackendNode node = replicas.get(k);
            if (eligible(node, minOffset, exclude, masterDown)) {
                int load = node.inflight();
                if (load < bestLoad) {
                    bestLoad = load;
                    ties = 1;
                } else if (load == bestLoad) {
                    ties++;
                }
            }
        }
        if (ties == 0) {
            return null;
        }
        // the turn rotates among the tied replicas only, so an ineligible one shifts no load onto its neighbour
        int pick = (next++ & Integer.MAX_VALUE) % ties;
        for (int k = 0; k < n; k++) {
            BackendNode node = replicas.get(k);
            if (eligible(node, minOffset, exclude, masterDown) && node.inflight() == bestLoad && pick-- == 0) {
                return node;
            }
        }
        return null; // loads moved between the passes (other threads); the caller falls back to the master
    }

    private static boolean eligible(BackendNode node, long minOffset, BackendNode exclude, boolean masterDown) {
        NodeState s = node.state();
        return node != exclude && (s.servesReads() || masterDown && s.servesStaleReads()) && s.offset() >= minOffset;
    }
}
