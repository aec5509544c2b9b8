package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.resp.RespWriter;
import io.resplit.resp.WriteBatch;
import io.resplit.route.Route;
import io.resplit.route.Router;
import io.resplit.topology.Topology;
import java.util.ArrayDeque;

/**
 * Sends one client's requests to the backends: gives each its lane, holds it while the client's master commands
 * must keep their order across connections (or a failover holds writes), picks the node and connection (shared,
 * pinned for a transaction, or dedicated for a blocking command), and hands every answer to the client's reply
 * order. Outcomes that are not an answer (error replies it recovers from, lost connections) go to its
 * {@link ForwardRecovery}. Runs on the client's event loop only.
 */
final class Forwarder {
    private final ClientHandler client;
    private final ClientReplies replies;
    private final ProxyContext ctx;
    private final ClientSession session;
    private final EventLoop loop;
    private final ArrayDeque<PendingReply> held = new ArrayDeque<>();
    private final MasterWait retries; // requests waiting for a master, sent again before anything held
    private final LaneOrder lanes;
    private final PinnedConnection pinned;
    private final BlockingConnections blocking;
    private final ForwardRecovery recovery;
    private final SlowRequests slow;
    private final CommandMeters meters;
    private final SharedLanes shared;
    private final GateWait gate; // during a failover: master traffic waits, sent to the new master after

    Forwarder(ClientHandler client, ClientReplies replies, ProxyContext ctx, ClientSession session, EventLoop loop,
              ScriptCache scripts) {
        this.client = client;
        this.replies = replies;
        this.ctx = ctx;
        this.session = session;
        this.loop = loop;
        this.retries = new MasterWait(ctx, loop, this::afterLaneChange);
        this.pinned = new PinnedConnection(loop, session.loopIndex());
        this.blocking = new BlockingConnections(loop, session.loopIndex());
        this.slow = new SlowRequests(ctx.slowLog(), client);
        this.meters = ctx.meters(session.loopIndex());
        this.lanes = new LaneOrder(session.readYourWrites());
        this.shared = new SharedLanes(ctx, session, loop);
        this.gate = new GateWait(ctx.writeGate(), loop, () -> {
            if (!replies.discardsReplies()) {
                afterLaneChange(); // the held requests go, to whichever node is master now
            }
        });
        this.recovery = new ForwardRecovery(this, client, replies, session, retries, lanes, pinned, blocking, scripts);
    }

    /** Routes {@code p}, whose place in the reply order is already taken; it may wait for a lane switch. */
    void dispatch(PendingReply p) {
        p.lane(Router.lane(p.route(), session.pinnedToMaster()));
        if (p.lane() == Route.MASTER && busyAnswer(p)) {
            return;
        }
        if (!held.isEmpty() || !retries.isEmpty() || lanes.mustWait(p.lane()) || gate.closedFor(p.lane())) {
            held.add(p);
            return;
        }
        send(p, null);
    }

    /**
     * While the master runs a long script or function (its health check was answered BUSY), Redis answers every
     * other client's command with BUSY at once; so does the proxy for commands bound for a shared connection,
     * which may be the one the script runs on, where they would wait as long as it runs. Transactions and
     * blocking commands have connections of their own: Redis answers them itself (and marks a transaction
     * for EXECABORT as it does). Commands Redis allows while busy (flag allow_busy) go on.
     */
    private boolean busyAnswer(PendingReply p) {
        // the request's first routing, as it arrives (ClientRequests.handle): its own snapshot or a newer one
        BackendNode master = ctx.runtime().topology().master();
        if (!master.busy().isBusy()) {
            return false;
        }
        if (p.spec != null && p.spec.hasFlag("allow_busy")) {
            // FUNCTION STATS, SHUTDOWN NOSAVE, ...: Redis runs them during the script, but on the shared
            // connection they would queue behind it: they take a connection of their own instead
            p.lane(Route.BLOCKING);
            return false;
        }
        fail(p, master.busy().error());
        return true;
    }

    /** Sends {@code p} on its lane (a replica other than {@code exclude}), or holds it if it cannot go yet. */
    void send(PendingReply p, BackendNode exclude) {
        // the current snapshot, not the arrival's: held requests (no master, the write gate, a lane switch) and
        // re-sent ones (ForwardRecovery) are routed again here, and must find the master of now
        Topology topology = ctx.runtime().topology();
        BackendNode master = topology.master();
        BackendConnection conn;
        switch (p.lane()) {
            case PINNED -> {
                if (pinned.lost()) { // it died between the client's commands
                    recovery.pinnedLost(p);
                    return;
                }
                conn = pinned.acquire(master, p.protocol(), p.db);
                p.node = master;
            }
            case BLOCKING -> {
                conn = blocking.open(p, master);
                lanes.blockedOn(conn);
                p.node = master;
            }
            default -> {
                BackendNode node = p.lane() == Route.REPLICA
                        ? shared.replicaFor(topology, exclude, lanes.inflight(Route.REPLICA) > 0) : master;
                if (p.tracked() && node != master && !client.tracking().covers(node)) {
                    node = master; // the replica's changes are not reported (yet): a tracked read would go stale
                }
                conn = shared.connection(node, p);
                if (conn == null && node != master) {
                    node = master; // the replica is in a reconnect backoff: the master serves the read
                    conn = shared.connection(node, p);
                }
                if (node == master && p.lane() == Route.REPLICA) {
                    p.lane(Route.MASTER); // a read the master serves is ordered with the client's writes
                    if (gate.closedFor(Route.MASTER)) {
                        held.addFirst(p); // and, during a failover, waits with them
                        return;
                    }
                }
                p.node = node;
                // write-ack-replicas: the connection holds the reply until enough replicas have the write
                p.awaitsAck(node == master && p.route() == Route.MASTER && ctx.writeAckOn());
            }
        }
        p.countAttempt();
        if (conn == null) {
            recovery.unsent(p, "ERR resplit: master " + master.address() + " is unavailable: " + master.state().reason());
            return;
        }
        lanes.started(p);
        if (p.tracked()) {
            client.tracking().read(p.node, p.request, p.spec); // before it is sent: see ClientTracking
        }
        if (meters.enabled() && (p.attempts() > 1 || p.heldSince() != 0)) {
            p.sentNanos(System.nanoTime()); // held or re-sent: not at its arrival time
        }
        conn.send(p.request, p); // the request stays p's: a read may be sent again elsewhere
    }

    /** The client's shared connections, and which replica a read goes to. */
    SharedLanes shared() {
        return shared;
    }

    /**
     * A backend answered {@code p}; {@code error}: the reply is an error reply; {@code arrival}: when it came (one
     * clock read per backend socket read, read only when {@code p} is timed).
     */
    void replied(PendingReply p, ByteBuf frame, boolean error, java.util.function.LongSupplier arrival) {
        long now = arrived(p, arrival);
        if (error && !replies.discardsReplies() && recovery.recovered(p, frame)) {
            return; // UNBLOCKED, NOSCRIPT or READONLY: not the answer yet
        }
        if (p.dedicated() != null) {
            blocking.release(p);
        }
        if (replies.discardsReplies()) {
            frame.release(); // nobody will read it: the queue was dropped when the connection began to close
            p.releaseAll();
        } else {
            answered(p, error, now);
            replies.complete(p, p.transform() == null ? frame : p.transform().apply(frame), now);
        }
        afterLaneChange();
    }

    /**
     * {@code p}'s reply, where it lies in the backend's input (readable during this call only). The usual case, a
     * plain successful reply to the request the client waits for next, is copied straight to the client; anything
     * else (an error that may be recovered, a reply to transform or to hold behind another) is kept: copied if
     * small, else as a slice ({@link WriteBatch#keep}).
     */
    void repliedInPlace(PendingReply p, ByteBuf in, int index, int length, boolean error,
                        java.util.function.LongSupplier arrival) {
        if (error || !p.repliesPlainly() || !replies.writesAtOnce(p)) {
            replied(p, WriteBatch.keep(in, index, length), error, arrival);
            return;
        }
        long now = arrived(p, arrival);
        answered(p, false, now);
        replies.completeInPlace(p, in, index, length, now);
        afterLaneChange();
    }

    /** {@code p} is back from its backend: out of its lane, metered; the clock as read for it (0 if not). */
    private long arrived(PendingReply p, java.util.function.LongSupplier arrival) {
        ended(p);
        // one clock read for the backend histogram and the slow log, shared by the replies of one socket read;
        // none when neither is on (startNanos 0)
        long now = p.startNanos == 0 ? 0 : arrival.getAsLong();
        if (meters.enabled()) {
            meters.backendReplied(p, now);
        }
        return now;
    }

    /** {@code p} has its answer: its request is done with (slow-logged first). */
    private void answered(PendingReply p, boolean error, long now) {
        slow.finished(p, now);
        p.request.release();
        p.request = null;
        p.outcome(error); // so the meters need not read the reply
    }

    /** The backend connection carrying {@code p} failed before its reply. */
    void failed(PendingReply p, String reason, boolean maybeApplied) {
        ended(p);
        if (p.dedicated() != null) {
            blocking.forget(p);
        }
        if (replies.discardsReplies()) {
            p.releaseAll();
            afterLaneChange();
            return;
        }
        recovery.connectionLost(p, reason, maybeApplied);
    }

    /** {@code p} left its lane (answered or failed); a write of a tracking client is no longer pending. */
    private void ended(PendingReply p) {
        lanes.ended(p);
        if (p.ownWriteKeys() != null) {
            client.tracking().writeAnswered(p);
        }
    }

    /** Answers {@code p} with {@code error} instead of sending it (again). */
    void fail(PendingReply p, String error) {
        if (p.ownWriteKeys() != null) {
            client.tracking().writeAnswered(p); // never ran: its keys are not the client's own change
        }
        slow.finished(p, SlowRequests.now(p));
        p.request.release();
        p.request = null;
        replies.complete(p, RespWriter.error(client.alloc(), error), 0);
    }

    /** Releases requests that waited for a lane switch, and gives back a pinned connection no longer needed. */
    void afterLaneChange() {
        if (pinned.held() && !session.pinnedToMaster() && lanes.inflight(Route.PINNED) == 0) {
            pinned.release();
        }
        if (replies.discardsReplies()) {
            return; // closing (QUIT, an output buffer limit): nothing more is sent; clientClosed releases the rest
        }
        PendingReply p;
        while (!retries.isEmpty()) {
            p = retries.due();
            if (p == null || lanes.mustWait(p.lane()) || gate.closedFor(p.lane())) {
                return; // a scheduled call, a reply or the gate comes back here
            }
            retries.poll();
            send(p, null); // may put it back (still no master) and push the next try out
        }
        while (retries.isEmpty() && (p = held.peek()) != null && !lanes.mustWait(p.lane())
                && !gate.closedFor(p.lane())) {
            held.poll();
            send(p, null);
        }
    }

    /** Whether requests of this client wait here unsent (held, or for a master): their writes have not run. */
    boolean holdsRequests() {
        return !held.isEmpty() || !retries.isEmpty();
    }

    /** The connection this client's blocking command waits on, or null; read from any thread. */
    BackendConnection blockedOn() {
        return lanes.blockedOn();
    }

    /** Whether a blocking command of this client is waiting on the master. */
    boolean blocked() {
        return lanes.inflight(Route.BLOCKING) > 0;
    }

    /** The pinned connection can no longer be reused as it stands (e.g. its database changed). */
    void taintPinned() {
        pinned.taint();
    }

    /** The client has gone: its exclusive connections are closed, not pooled (they may be blocked or in MULTI). */
    void clientClosed() {
        PendingReply p;
        while ((p = held.poll()) != null) {
            p.releaseAll();
        }
        retries.releaseAll();
        pinned.discard("client disconnected");
        blocking.discardAll();
    }
}
