package io.resplit.backend;

/**
 * What the proxy last learned about a node, published as one immutable snapshot so that readers on any thread
 * see a consistent picture.
 *
 * @param up         reachable, authenticated and answering health checks
 * @param info       the last {@code INFO replication} sample, or null before the first
 * @param sampleSeq  sequence number of the health check that produced {@code info} (see
 *                   {@link NodeHealth#nextSampleSeq()})
 * @param reason     why the node is down, for logs and error replies
 * @param latencyMicros round trip of the last health check, -1 before the first
 */
public record NodeState(boolean up, InfoReplication info, long sampleSeq, String reason, long latencyMicros) {
    static NodeState initial() {
        return new NodeState(false, null, 0, "not checked yet", -1);
    }

    NodeState down(String why) {
        return new NodeState(false, info, sampleSeq, why, latencyMicros);
    }

    /** Fit to serve reads as a replica: up, linked to its master, not in a full sync. */
    public boolean servesReads() {
        return up && info != null && !info.isMaster() && info.linkUp() && !info.syncing();
    }

    /** Up and a replica not in a full sync, whatever its link to the master: fit for reads while it is down. */
    public boolean servesStaleReads() {
        return up && info != null && !info.isMaster() && !info.syncing();
    }

    /** The replication offset of the last sample, or -1. */
    public long offset() {
        return info == null ? -1 : info.offset();
    }
}
