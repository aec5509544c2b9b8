package io.resplit.route;

import io.resplit.backend.BackendNode;
import java.util.List;

/**
 * Sends each read to the eligible replica with the fewest requests in flight per unit of weight, so a slow or
 * distant replica gets less work; ties rotate in proportion to the replicas' weights (round-robin when all
 * weigh 1, the default).
 */
public final class LeastOutstandingPolicy implements ReplicaPolicy {
    private int next; // racy by design: only spreads ties, any value is correct

    @Override
    public BackendNode choose(List<BackendNode> replicas, long minOffset, BackendNode exclude, boolean masterDown) {
        int n = replicas.size();
        long bestLoad = Long.MAX_VALUE;
        int tieWeight = 0;
        for (int k = 0; k < n; k++) {
            BackendNode node = replicas.get(k);
            if (eligible(node, minOffset, exclude, masterDown)) {
                long load = load(node);
                if (load < bestLoad) {
                    bestLoad = load;
                    tieWeight = node.weight();
                } else if (load == bestLoad) {
                    tieWeight += node.weight();
                }
            }
        }
        if (tieWeight == 0) {
            return null;
        }
        // the turn rotates among the tied replicas only, in proportion to their weights, so an ineligible one
        // shifts no load onto its neighbour
        int pick = (next++ & Integer.MAX_VALUE) % tieWeight;
        for (int k = 0; k < n; k++) {
            BackendNode node = replicas.get(k);
            if (eligible(node, minOffset, exclude, masterDown) && load(node) == bestLoad) {
                pick -= node.weight();
                if (pick < 0) {
                    return node;
                }
            }
        }
        return null; // loads moved between the passes (other threads); the caller falls back to the master
    }

    /** Requests in flight per unit of weight, scaled so that weights compare without fractions. */
    private static long load(BackendNode node) {
        return (long) node.inflight() * 1000 / node.weight();
    }

    private static boolean eligible(BackendNode node, long minOffset, BackendNode exclude, boolean masterDown) {
        return ReadTarget.fit(node, minOffset, exclude, masterDown);
    }
}
