package io.resplit.tracking;

import io.resplit.backend.BackendNode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NOLOOP in BCAST mode: the changes a client makes itself are not reported to it. The feeds do not say who
 * changed a key, so the proxy counts the client's writes in flight per key: the master's report of such a key
 * is skipped until the write has answered and a PING sent on the master's feed after that answer has come back
 * (everything the write changed is reported before it). A skipped report also means each replica the client
 * reads from will report the same change once: that report is skipped too.
 */
public final class OwnWrites {
    private final Map<TrackedKey, Integer> inFlight = new ConcurrentHashMap<>();
    private final Map<BackendNode, Map<TrackedKey, Integer>> replicaEchoes = new ConcurrentHashMap<>();

    /** The client is sending a write of {@code key}. */
    public void started(byte[] key) {
        inFlight.merge(new TrackedKey(key), 1, Integer::sum);
    }

    /** That write answered and its changes have all been reported. */
    public void finished(byte[] key) {
        inFlight.computeIfPresent(new TrackedKey(key), (k, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * Forgets the replica reports still to be skipped (the client drops its whole cache, or a feed was lost:
     * one that never comes must not hide a later change).
     */
    public void forgetEchoes() {
        replicaEchoes.clear();
    }

    /**
     * Whether a report of {@code key} from {@code node} is the client's own change. {@code replicasReadFrom}: the
     * replicas whose reports reach the client (they will echo the master's).
     */
    public boolean own(BackendNode node, boolean master, byte[] key, Set<BackendNode> replicasReadFrom) {
        TrackedKey k = new TrackedKey(key);
        if (master) {
            if (!inFlight.containsKey(k)) {
                return false;
            }
            for (BackendNode r : replicasReadFrom) {
                if (r != node) {
                    replicaEchoes.computeIfAbsent(r, x -> new ConcurrentHashMap<>()).merge(k, 1, Integer::sum);
                }
            }
            return true;
        }
        Map<TrackedKey, Integer> echoes = replicaEchoes.get(node);
        if (echoes == null) {
            return false;
        }
        boolean[] skipped = new boolean[1];
        echoes.computeIfPresent(k, (x, n) -> {
            skipped[0] = true;
            return n > 1 ? n - 1 : null;
        });
        return skipped[0];
    }
}
