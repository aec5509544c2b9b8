package io.resplit.route;

import io.resplit.backend.BackendNode;
import io.resplit.topology.Topology;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Read-your-writes for one client connection across the shards of a cluster: one {@link ReadYourWrites} fence
 * per shard master the client wrote to, so a read waits for (or goes to a replica that has) the client's last
 * write to that shard only. Connections that never wrote to a shard read from its replicas freely.
 *
 * <p>When a shard's master changes (a cluster failover) the fence kept for the old master no longer compares
 * with the new master's offsets; the client's next read of the shard then counts as following a write to the
 * new master: the master serves it, and replicas once they have caught up with the new master's next sample.
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
     * The offset a replica of {@code shard} must have reached to serve this connection's next read there, or
     * {@link ReadYourWrites#MASTER_ONLY}.
     *
     * @param isMaster whether a node is a shard master in the current cluster map
     */
    public long minReplicaOffset(Topology shard, Predicate<BackendNode> isMaster) {
        if (byMaster == null) {
            return -1;
        }
        BackendNode master = shard.master();
        ReadYourWrites fence = byMaster.get(master);
        if (fence == null && forgetDemoted(isMaster)) {
            // this client wrote to a master that is one no longer: this shard may be where those writes went
            fence = fence(master);
            fence.writeSent();
            fence.writeEnded(master);
        }
        return fence == null ? -1 : fence.minReplicaOffset(master);
    }

    /** Drops the fences of nodes that are no longer masters (those with writes in flight stay); true if any. */
    private boolean forgetDemoted(Predicate<BackendNode> isMaster) {
        boolean any = false;
        for (Iterator<Map.Entry<BackendNode, ReadYourWrites>> it = byMaster.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<BackendNode, ReadYourWrites> e = it.next();
            if (!isMaster.test(e.getKey()) && !e.getValue().writesInFlight()) {
                it.remove();
                any = true;
            }
        }
        return any;
    }

    private ReadYourWrites fence(BackendNode master) {
        if (byMaster == null) {
            byMaster = new IdentityHashMap<>(4);
        }
        return byMaster.computeIfAbsent(master, m -> new ReadYourWrites());
    }

    /** Whether this connection has written at all. */
    public boolean hasWritten() {
        return byMaster != null && !byMaster.isEmpty();
    }
}
