package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.ReplyCallback;
import io.resplit.route.Route;

/**
 * What a client's {@link Forwarder} does with an outcome that is not an answer to pass on. Error replies it
 * recovers from: UNBLOCKED from a master that became a replica (the command blocks again on the new master),
 * NOSCRIPT for a script the proxy has seen (loaded on that node and run again), READONLY to a write (it did not
 * run: it waits for the new master). And a connection lost before the reply: a read goes to another node, a
 * request that never ran waits for a master, a lost pinned connection ends the client's (its MULTI or WATCH
 * state is gone). On the client's event loop only.
 */
final class ForwardRecovery {
    /** A read is tried on at most this many nodes before the client gets an error. */
    private static final int MAX_READ_ATTEMPTS = 3;

    private final Forwarder forwarder;
    private final ClientHandler client;
    private final ClientReplies replies;
    private final ClientSession session;
    private final MasterWait retries;
    private final LaneOrder lanes;
    private final PinnedConnection pinned;
    private final BlockingConnections blocking;
    private final ScriptCache scripts;

    ForwardRecovery(Forwarder forwarder, ClientHandler client, ClientReplies replies, ClientSession session,
                    MasterWait retries, LaneOrder lanes, PinnedConnection pinned, BlockingConnections blocking,
                    ScriptCache scripts) {
        this.forwarder = forwarder;
        this.client = client;
        this.replies = replies;
        this.session = session;
        this.retries = retries;
        this.lanes = lanes;
        this.pinned = pinned;
        this.blocking = blocking;
        this.scripts = scripts;
    }

    /**
     * The error reply {@code frame} came for {@code p}, while the client still wants replies. True: recovered
     * from ({@code frame} released; {@code p} held, sent again or answered otherwise); false: it is the answer.
     */
    boolean recovered(PendingReply p, ByteBuf frame) {
        if (p.lane() == Route.BLOCKING && ErrorReplies.UNBLOCKED.starts(frame) && retries.mayHold(p)) {
            frame.release();
            blockAgain(p);
            return true;
        }
        if (p.scriptSha() != null && !p.scriptReloaded() && ErrorReplies.NOSCRIPT.starts(frame) && reloadScript(p)) {
            frame.release();
            return true;
        }
        if (p.lane() == Route.MASTER && p.route() == Route.MASTER && ErrorReplies.READONLY.starts(frame)
                && retries.mayHold(p)) {
            frame.release(); // the write was refused, not run: it goes again once a master is known
            retries.hold(p);
            return true;
        }
        return false;
    }

    /**
     * The master {@code p} blocked on became a replica (a failover) and Redis released it: it blocks again on
     * the new master, for the time it had left (BlockingRetry), or gets a timeout's reply if none is left.
     */
    private void blockAgain(PendingReply p) {
        blocking.release(p);
        if (!BlockingRetry.shortenTimeout(p, client.alloc())) {
            replies.complete(p, BlockingRetry.timedOut(client.alloc(), p.protocol()), 0);
            p.request.release();
            p.request = null;
        } else {
            retries.hold(p);
        }
        forwarder.afterLaneChange();
    }

    /**
     * The node that answered NOSCRIPT lacks a script the proxy has seen: load it there and run the call again,
     * both on the same connection so they run in that order. False when the body is unknown (the client then
     * gets NOSCRIPT, as from Redis).
     */
    private boolean reloadScript(PendingReply p) {
        byte[] body = scripts.body(p.scriptSha());
        BackendConnection conn = body == null ? null
                : p.lane() == Route.PINNED ? pinned.current()
                : p.lane() == Route.BLOCKING ? null : forwarder.shared().connection(p.node, p);
        if (conn == null || conn.isClosed()) {
            return false;
        }
        p.scriptReloaded(true);
        // the connection takes the load request's only reference
        conn.send(ScriptCache.loadRequest(client.alloc(), body), ReplyCallback.IGNORE);
        lanes.started(p);
        conn.send(p.request, p);
        return true;
    }

    /**
     * The connection carrying {@code p} failed before its reply, while the client still wants replies (its lane
     * and blocking connection are let go already).
     */
    void connectionLost(PendingReply p, String reason, boolean maybeApplied) {
        if (p.lane() == Route.PINNED && session.pinnedToMaster()) {
            pinnedLost(p);
            return;
        }
        if (p.route() == Route.REPLICA && p.attempts() < MAX_READ_ATTEMPTS) {
            p.lane(Route.REPLICA);
            forwarder.send(p, p.node); // reads are safe to repeat elsewhere
            return;
        }
        if (!maybeApplied && p.lane() != Route.REPLICA && retries.mayHold(p)) {
            retries.hold(p); // it never reached the master (down or reconnecting): wait for one, then send
            forwarder.afterLaneChange();
            return;
        }
        forwarder.fail(p, lostError(p.node, reason, maybeApplied));
        forwarder.afterLaneChange();
    }

    /** The client's error for a command whose connection was lost before the reply. */
    static String lostError(io.resplit.backend.BackendNode node, String reason, boolean maybeApplied) {
        return maybeApplied
                ? "ERR resplit: connection to " + node.address() + " lost before the reply; the command may or "
                        + "may not have run (" + reason + ")"
                : "ERR resplit: " + reason;
    }

    /**
     * The connection holding the client's MULTI or WATCH state is gone: as with a lost Redis connection, the
     * client must start over, so it loses its connection too rather than see commands run unqueued.
     */
    void pinnedLost(PendingReply p) {
        pinned.forget();
        replies.closeNow();
        p.releaseAll();
    }

    /** No connection could take {@code p} (the master is down or reconnecting): it waits for one, or fails. */
    void unsent(PendingReply p, String error) {
        if (retries.mayHold(p)) {
            retries.hold(p);
        } else {
            forwarder.fail(p, error);
        }
    }
}
