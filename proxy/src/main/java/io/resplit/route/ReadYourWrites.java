package io.resplit.route;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;

/**
 * Keeps one client connection's reads behind its own writes, as on a single Redis.
 *
 * <p>While a write of this connection is unanswered, its reads go to the master (on the same backend
 * connection, so they run after the write). When a write is answered, the fence is the next health check of
 * the master: that check was sent after the write completed, so the master offset it reports covers the write.
 * Until that sample arrives reads stay on the master; afterwards a replica may serve them once its processed
 * offset has reached that value. Connections that never wrote read from replicas freely.
 *
 * <p>Not thread-safe: used on the connection's event loop only.
 */
public final class ReadYourWrites {
    /** Returned by {@link #minReplicaOffset} when only the master can serve the read. */
    public static final long MASTER_ONLY = Long.MAX_VALUE;

    private int writesInFlight;
    private long fenceSeq;
    private long minOffset = -1;

    public void writeSent() {
        writesInFlight++;
    }

    /** A write was answered (or failed after it may have run): fence later reads behind it. */
    public void writeEnded(BackendNode master) {
        writesInFlight--;
        fenceSeq = master.lastSentSampleSeq() + 1;
    }

    /**
     * The replication offset a replica must have processed to serve this connection's next read, or
     * {@link #MASTER_ONLY}.
     */
    public long minReplicaOffset(BackendNode master) {
        if (writesInFlight > 0) {
            return MASTER_ONLY;
        }
        if (fenceSeq != 0) {
            NodeState s = master.state();
            if (s.sampleSeq() < fenceSeq || s.offset() < 0) {
                return MASTER_ONLY;
            }
            minOffset = Math.max(minOffset, s.offset());
            fenceSeq = 0;
        }
        if (minOffset >= 0) {
            NodeState s = master.state();
            long masterOffset = s.offset();
            // only a sample of the node as master: one taken while it was still a lagging replica says nothing
            if (s.info() != null && s.info().isMaster() && masterOffset >= 0 && masterOffset < minOffset) {
                // the master is behind what this connection once saw: a failover lost the old master's last
                // writes (they never reached the new one). No replica of the new master will reach the old
                // figure until as many bytes are written again; what survived is all the new master has.
                minOffset = masterOffset;
            }
        }
        return minOffset;
    }

    /** Whether a write of this connection is still unanswered. */
    public boolean writesInFlight() {
        return writesInFlight > 0;
    }

    /** Whether this connection has written at all (for INFO and tests). */
    public boolean hasWritten() {
        return minOffset >= 0 || fenceSeq != 0 || writesInFlight > 0;
    }
}
