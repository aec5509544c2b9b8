package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.cluster.ClusterDirectory;
import io.resplit.resp.RespWriter;

/**
 * What becomes of one client's cluster calls once they come back from their nodes (the answering side of its
 * {@link ClusterForwarder}, which sends them): an answer goes to the client, alone or merged with the other
 * parts of its request; an error reply that redirects or says "not now" ({@link ClusterErrors}) sends the call
 * again, at once or after a pause; a lost connection sends a read elsewhere and has what did not run wait for a
 * retry, within {@code failover-hold-timeout}; when the client has gone, what a call holds is dropped. On the
 * client's event loop only.
 */
final class ClusterOutcomes {
    private static final int MAX_READ_ATTEMPTS = 3;

    private final ClusterForwarder forwarder;
    private final ClientHandler client;
    private final ClientSession session;
    private final ClusterDirectory cluster;
    private final ClusterLanes lanes;
    private final ClusterTransaction transaction;
    private final ClusterErrors errors;
    private final RetryQueue waiting;
    private final SlowRequests slow;
    private final CommandMeters meters;

    /** @param waiting the client's calls waiting for a retry (the forwarder sends them), with their deadlines */
    ClusterOutcomes(ClusterForwarder forwarder, ClientHandler client, ClientSession session, ClusterLanes lanes,
                    ClusterTransaction transaction, ClusterErrors errors, RetryQueue waiting, SlowRequests slow,
                    CommandMeters meters) {
        this.forwarder = forwarder;
        this.client = client;
        this.session = session;
        this.cluster = client.context().cluster();
        this.lanes = lanes;
        this.transaction = transaction;
        this.errors = errors;
        this.waiting = waiting;
        this.slow = slow;
        this.meters = meters;
    }

    /** {@code c}'s node answered {@code frame} ({@code now}: when, 0 when {@code c} is not timed). */
    void replied(ShardCall c, ByteBuf frame, boolean error, long now) {
        lanes.ended(c);
        if (c.pinned) { // the node's own replies: QUEUED, EXEC's array, EXECABORT, MOVED inside a transaction
            if (client.discardsReplies()) {
                frame.release();
                abandon(c);
            } else {
                deliver(c, frame, error, now);
            }
            transaction.settled(lanes.pinnedInflight());
            forwarder.drain();
            return;
        }
        if (c.dedicated != null) {
            c.dedicated.node().releaseDedicated(c.dedicated, session.loopIndex(), true);
            c.dedicated = null;
        }
        if (client.discardsReplies()) {
            frame.release();
            abandon(c);
            return;
        }
        if (error) {
            ClusterErrors.Next next = errors.after(c, frame, waiting);
            if (next != ClusterErrors.Next.DELIVER) {
                frame.release();
                if (next == ClusterErrors.Next.REDIRECT) {
                    forwarder.resend(c, null);
                } else {
                    forwarder.waitRetry(c, null);
                    forwarder.drain();
                }
                return;
            }
        }
        if (meters.enabled() && now != 0) {
            meters.backendReplied(c.parent, now);
        }
        deliver(c, frame, error, now);
        forwarder.drain();
    }

    /** The connection carrying {@code c} failed before its reply ({@code maybeApplied}: after it was written). */
    void failed(ShardCall c, String reason, boolean maybeApplied) {
        lanes.ended(c);
        if (c.pinned) {
            if (maybeApplied || client.discardsReplies()) {
                abandon(c);
            }
            transaction.failed(c.parent, reason, maybeApplied, lanes.pinnedInflight());
            return;
        }
        if (c.dedicated != null) {
            c.dedicated = null; // the connection is gone
        }
        if (client.discardsReplies()) {
            abandon(c);
            return;
        }
        if (!c.write && c.attempts < MAX_READ_ATTEMPTS) {
            forwarder.resend(c, c.node); // reads are safe to repeat elsewhere
            return;
        }
        if ((!maybeApplied || !c.write) && waiting.withinDeadline(c)) {
            cluster.refreshSoon(); // the node may be gone: its shard's new master is in the next map
            forwarder.waitRetry(c, null);
            forwarder.drain();
            return;
        }
        deliver(c, RespWriter.error(client.alloc(), ForwardRecovery.lostError(c.node, reason, maybeApplied)), true,
                SlowRequests.now(c.parent));
        forwarder.drain();
    }

    /** Hands {@code c}'s outcome on: to the client, or into its request's merged reply. */
    void deliver(ShardCall c, ByteBuf frame, boolean error, long now) {
        PendingReply p = c.parent;
        c.release();
        if (c.parts != null) {
            if (!c.parts.arrived(c.part, frame)) {
                return;
            }
            frame = c.parts.merge(client.alloc());
            error = io.resplit.resp.RespReplyDecoder.isError(frame);
        }
        if (p.ownWriteKeys() != null) {
            // BCAST NOLOOP: its keys count as the client's own change until the node it went to (the last, for
            // a write split over shards) has reported them
            client.tracking().writeAnswered(p);
        }
        slow.finished(p, now);
        p.request.release();
        p.request = null;
        p.outcome(error);
        client.complete(p, p.transform() == null ? frame : p.transform().apply(frame), now);
    }

    /** The client has gone: what {@code c} holds is dropped. */
    void abandon(ShardCall c) {
        c.release();
        if (c.parts == null || c.parts.arrived(c.part, null)) {
            if (c.parts != null) {
                c.parts.releaseAll();
            }
            c.parent.releaseAll();
        }
    }
}
