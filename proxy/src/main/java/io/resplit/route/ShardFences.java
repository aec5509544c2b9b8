package io.resplit.route;

import io.resplit.backend.BackendNode;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Read-your-writes for one client connection across the shards of a cluster: one {@link ReadYourWrites} fence
 * per shard master the client wrote to, so a read waits for (or goes to a replica that has) the client's last
 * write to that shard only. Connections that never wrote to a shard read from its replicas freely.
 *
 * <p>When the cluster's map changes (a failover, a slot moved) the fences no longer say where the client's
 * writes are: {@link #mapChanged} then fences every master anew.
 *
 * <p>Not thread-safe: used on the connection's event loop only.
 */
public final class ShardFences {
    private Map<BackendNode, ReadYourWrites> byMaster; // created on the first write

    /** A write is being sent to {@code master}. */
    public void writeSent(BackendNode master) {
        fence(master).writeSent();
    }

    /** The write sent to {@code master} was answered (or failed after it may have run). */
    public void writeEnded(BackendNode master) {
        fence(master).writeEnded(master);
    }

    /**
     * The offset a replica of {@code master}'s shard must have reached to serve this connection's next read
     * there, or {@link ReadYourWrites#MASTER_ONLY}.
     */
    public long minReplicaOffset(BackendNode master) {
        ReadYourWrites fence = byMaster == null ? null : byMaster.get(master);
        return fence == null ? -1 : fence.minReplicaOffset(master);
    }

    /**
     * The cluster's map changed (a failover, slots moved) while this connection has written: its writes may now
     * live with other masters (a promoted replica, the shard its keys migrated to). Fences kept for nodes that
     * are masters no more are dropped, and every master now counts as just written to: its replicas serve this
     * connection again once they have what the master had at its next health check.
     */
    public void mapChanged(Collection<BackendNode> masters) {
        if (byMaster == null) {
            return;
        }
        byMaster.entrySet().removeIf(e -> !masters.contains(e.getKey()) && !e.getValue().writesInFlight());
        for (BackendNode master : masters) {
            ReadYourWrites fence = fence(master);
            fence.writeSent();
            fence.writeEnded(master);
        }
    }

    private ReadYourWrites fence(BackendNode master) {
        if (byMaster == null) {
            byMaster = new IdentityHashMap<>(4);
        }
        return byMaster.computeIfAbsent(master, m -> new ReadYourWrites());
    }

    /** Whether this connection has written to {@code master} (or counts as having, after a map change). */
    public boolean wroteTo(BackendNode master) {
        return byMaster != null && byMaster.containsKey(master);
    }

    /** Whether this connection has written at all. */
    public boolean hasWritten() {
        return byMaster != null && !byMaster.isEmpty();
    }
}
