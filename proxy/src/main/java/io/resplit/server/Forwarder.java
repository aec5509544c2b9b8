package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.resp.RespWriter;
import io.resplit.route.ReadTarget;
import io.resplit.route.ReadYourWrites;
import io.resplit.route.Route;
import io.resplit.route.Router;
import io.resplit.topology.Topology;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends one client's requests to the backends and takes their outcomes: picks the node and connection (shared,
 * pinned for a transaction, or dedicated for a blocking command), keeps the client's master commands in the
 * order it sent them across those connections, re-sends reads whose replica failed, and hands every outcome
 * to the reply queue. Runs on the client's event loop only.
 */
final class Forwarder {
    /** A read is tried on at most this many nodes before the client gets an error. */
    private static final int MAX_READ_ATTEMPTS = 3;

    private final ClientHandler client;
    private final ProxyContext ctx;
    private final ClientSession session;
    private final EventLoop loop;
    private final ArrayDeque<PendingReply> held = new ArrayDeque<>();
    private final MasterWait retries; // requests waiting for a master, sent again before anything held
    private final List<BackendConnection> blockingConnections = new ArrayList<>(1);
    private final LaneOrder lanes;
    private final PinnedConnection pinned;
    private boolean waitingForGate;


    private final ScriptCache scripts;
    private final SlowRequests slow;
    private final CommandMeters meters;

    Forwarder(ClientHandler client, ProxyContext ctx, ClientSession session, EventLoop loop, ScriptCache scripts) {
        this.client = client;
        this.ctx = ctx;
        this.session = session;
        this.loop = loop;
        this.scripts = scripts;
        this.retries = new MasterWait(ctx, loop, this::afterLaneChange);
        this.pinned = new PinnedConnection(loop, session.loopIndex());
        this.slow = new SlowRequests(ctx.slowLog(), client);
        this.meters = ctx.meters(session.loopIndex());
        this.lanes = new LaneOrder(session.readYourWrites());
    }

    /** Routes {@code p}, whose place in the reply order is already taken; it may wait for a lane switch. */
    void dispatch(PendingReply p) {
        p.lane = Router.lane(p.route, session.pinnedToMaster());
        if (p.lane == Route.MASTER && busyAnswer(p)) {
            return;
        }
        if (!held.isEmpty() || !retries.isEmpty() || lanes.mustWait(p.lane) || gateClosedFor(p.lane)) {
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
        BackendNode master = ctx.topology().current().master();
        if (!master.isBusy()) {
            return false;
        }
        if (p.spec != null && p.spec.hasFlag("allow_busy")) {
            // FUNCTION STATS, SHUTDOWN NOSAVE, ...: Redis runs them during the script, but on the shared
            // connection they would queue behind it: they take a connection of their own instead
            p.lane = Route.BLOCKING;
            return false;
        }
        fail(p, master.busyError());
        return true;
    }

    /**
     * During a failover new master traffic waits at the write gate (reads for replicas go on); the held
     * requests are sent, to the new master, when it opens.
     */
    private boolean gateClosedFor(Route lane) {
        if (lane == Route.REPLICA) {
            return false;
        }
        if (waitingForGate) {
            return true;
        }
        if (ctx.writeGate().passOrWait(loop, this::gateOpened)) {
            return false;
        }
        waitingForGate = true;
        return true;
    }

    private void gateOpened() {
        waitingForGate = false;
        if (!client.discardsReplies()) {
            afterLaneChange();
        }
    }

    private void send(PendingReply p, BackendNode exclude) {
        Topology topology = ctx.topology().current();
        BackendNode master = topology.master();
        BackendConnection conn;
        switch (p.lane) {
            case PINNED -> {
                if (pinned.lost()) {
                    // the connection holding this client's MULTI or WATCH died between its commands: as with a
                    // lost Redis connection the client must start over, rather than see commands run unqueued
                    pinned.forget();
                    client.closeNow();
                    p.releaseAll();
                    return;
                }
                conn = pinned.acquire(master, p.protocol, p.db);
                p.node = master;
            }
            case BLOCKING -> {
                if (p.blockedSince == 0) {
                    p.blockedSince = System.nanoTime();
                }
                conn = master.dedicated(loop, session.loopIndex(), p.protocol, p.db);
                p.dedicated = conn;
                lanes.blockedOn(conn);
                p.node = master;
                if (conn != null) {
                    blockingConnections.add(conn);
                }
            }
            default -> {
                BackendNode node = p.lane == Route.REPLICA ? replicaFor(topology, exclude) : master;
                if (p.tracked && node != master && !client.tracking().covers(node)) {
                    node = master; // the replica's changes are not reported (yet): a tracked read would go stale
                }
                conn = sharedConnection(node, p);
                if (conn == null && node != master) {
                    node = master; // the replica is in a reconnect backoff: the master serves the read
                    conn = sharedConnection(node, p);
                }
                if (node == master && p.lane == Route.REPLICA) {
                    p.lane = Route.MASTER; // a read the master serves is ordered with the client's writes
                    if (gateClosedFor(Route.MASTER)) {
                        held.addFirst(p); // and, during a failover, waits with them
                        return;
                    }
                }
                p.node = node;
                // write-ack-replicas: the connection holds the reply until enough replicas have the write
                p.awaitsAck = node == master && p.route == Route.MASTER && ctx.writeAckOn();
            }
        }
        p.attempts++;
        if (conn == null) {
            holdOrFail(p, "ERR resplit: master " + master.address() + " is unavailable: " + master.state().reason());
            return;
        }
        lanes.started(p);
        if (p.tracked) {
            client.tracking().read(p.node, p.request, p.spec); // before it is sent: see ClientTracking
        }
        if (meters.enabled() && (p.attempts > 1 || p.heldSince != 0)) {
            p.sentNanos = System.nanoTime(); // held or re-sent: not at its arrival time
        }
        // the first send writes the frame itself (the connection owns the added reference and releases it once
        // written); a later one (a read sent again elsewhere, a write held for a new master) gets a slice of it
        conn.send(p.attempts == 1 ? p.request.retainedFrameForFirstWrite() : p.request.retainedFrame(), p);
    }

    private BackendNode replicaFor(Topology topology, BackendNode exclude) {
        long fence = session.readYourWrites().minReplicaOffset(topology.master());
        if (fence == ReadYourWrites.MASTER_ONLY) {
            ctx.metrics().readsRedirectedToMaster().increment();
        }
        return ReadTarget.choose(topology, fence, ctx.config().replicaMaxLag(), ctx.replicaPolicy(), exclude);
    }

    private BackendConnection sharedConnection(BackendNode node, PendingReply p) {
        // a client keeps to one connection per node so its own requests stay in order there
        return node.connection(loop, session.loopIndex(), p.protocol, p.db, (int) session.id());
    }

    /** The client's shared connection to {@code node} under its current database and protocol. */
    BackendConnection sharedConnection(BackendNode node) {
        return node.connection(loop, session.loopIndex(), session.protocol(), session.db(), (int) session.id());
    }

    /**
     * A backend answered {@code p}; {@code error}: the reply is an error reply; {@code arrival}: when it came (one
     * clock read per backend socket read, read only when {@code p} is timed).
     */
    void replied(PendingReply p, ByteBuf frame, boolean error, java.util.function.LongSupplier arrival) {
        lanes.ended(p);
        if (p.ownWriteKeys != null) {
            client.tracking().writeAnswered(p);
        }
        // one clock read for the backend histogram and the slow log, shared by the replies of one socket read;
        // none when neither is on (startNanos 0)
        long now = p.startNanos == 0 ? 0 : arrival.getAsLong();
        if (meters.enabled()) {
            meters.backendReplied(p, now);
        }
        if (p.lane == Route.BLOCKING && !client.discardsReplies() && ErrorReplies.UNBLOCKED.starts(frame)
                && retries.mayHold(p)) {
            // the master it blocked on became a replica (a failover) and Redis released it: block again on the
            // new master (with its full timeout; the time already waited is not deducted)
            frame.release();
            blockingConnections.remove(p.dedicated);
            p.dedicated.node().releaseDedicated(p.dedicated, session.loopIndex(), true);
            p.dedicated = null;
            if (!BlockingRetry.shortenTimeout(p, client.alloc())) {
                client.complete(p, BlockingRetry.timedOut(client.alloc(), p.protocol)); // no time left: as a timeout
                p.request.release();
                p.request = null;
                afterLaneChange();
                return;
            }
            retries.hold(p);
            afterLaneChange();
            return;
        }
        if (p.scriptSha != null && !p.scriptReloaded && !client.discardsReplies() && ErrorReplies.NOSCRIPT.starts(frame)
                && reloadScript(p)) {
            frame.release();
            return;
        }
        if (p.lane == Route.MASTER && p.route == Route.MASTER && !client.discardsReplies()
                && ErrorReplies.READONLY.starts(frame) && retries.mayHold(p)) {
            frame.release(); // the write was refused, not run: it goes again once a master is known
            retries.hold(p);
            return;
        }
        if (p.dedicated != null) {
            blockingConnections.remove(p.dedicated);
            p.dedicated.node().releaseDedicated(p.dedicated, session.loopIndex(), true);
            p.dedicated = null;
        }
        if (client.discardsReplies()) {
            frame.release(); // nobody will read it: the queue was dropped when the connection began to close
            p.releaseAll();
        } else {
            slow.finished(p, now);
            p.request.release();
            p.request = null;
            p.outcome = error ? PendingReply.ERROR : PendingReply.OK; // so the meters need not read the reply
            client.complete(p, p.transform == null ? frame : p.transform.apply(frame), now);
        }
        afterLaneChange();
    }

    /** The backend connection carrying {@code p} failed before its reply. */
    void failed(PendingReply p, String reason, boolean maybeApplied) {
        lanes.ended(p);
        if (p.ownWriteKeys != null) {
            client.tracking().writeAnswered(p);
        }
        if (p.dedicated != null) {
            blockingConnections.remove(p.dedicated);
            p.dedicated = null;
        }
        if (client.discardsReplies()) {
            p.releaseAll();
            afterLaneChange();
            return;
        }
        if (p.lane == Route.PINNED && session.pinnedToMaster()) {
            // the transaction or WATCH state lived on that connection: as with a lost Redis connection, the
            // client must start over, so it loses its connection too rather than see commands run unqueued
            pinned.forget();
            client.closeNow();
            p.releaseAll();
            return;
        }
        if (p.route == Route.REPLICA && p.attempts < MAX_READ_ATTEMPTS) {
            p.lane = Route.REPLICA;
            send(p, p.node); // reads are safe to repeat elsewhere
            return;
        }
        if (!maybeApplied && p.lane != Route.REPLICA && retries.mayHold(p)) {
            retries.hold(p); // it never reached the master (down or reconnecting): wait for one, then send
            afterLaneChange();
            return;
        }
        fail(p, maybeApplied
                ? "ERR resplit: connection to " + p.node.address() + " lost before the reply; the command may or "
                        + "may not have run (" + reason + ")"
                : "ERR resplit: " + reason);
        afterLaneChange();
    }

    /**
     * The node that answered NOSCRIPT lacks a script the proxy has seen: load it there and run the call again,
     * both on the same connection so they run in that order. False when the body is unknown (the client then
     * gets NOSCRIPT, as from Redis).
     */
    private boolean reloadScript(PendingReply p) {
        byte[] body = scripts.body(p.scriptSha);
        BackendConnection conn = body == null ? null
                : p.lane == Route.PINNED ? pinned.current()
                : p.lane == Route.BLOCKING ? null : sharedConnection(p.node, p);
        if (conn == null || conn.isClosed()) {
            return false;
        }
        p.scriptReloaded = true;
        io.resplit.resp.RespRequest load = io.resplit.resp.RespRequest.of(client.alloc(),
                "SCRIPT".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "LOAD".getBytes(java.nio.charset.StandardCharsets.US_ASCII), body);
        // the connection takes the load request's only reference
        conn.send(load.frame(), io.resplit.backend.ReplyCallback.IGNORE);
        lanes.started(p);
        conn.send(p.request.retainedFrame(), p);
        return true;
    }


    private void holdOrFail(PendingReply p, String error) {
        if (retries.mayHold(p)) {
            retries.hold(p);
        } else {
            fail(p, error);
        }
    }

    private void fail(PendingReply p, String error) {
        if (p.ownWriteKeys != null) {
            client.tracking().writeAnswered(p); // never ran: its keys are not the client's own change
        }
        slow.finished(p, SlowRequests.now(p));
        p.request.release();
        p.request = null;
        client.complete(p, RespWriter.error(client.alloc(), error));
    }

    /** Releases requests that waited for a lane switch, and gives back a pinned connection no longer needed. */
    private void afterLaneChange() {
        if (pinned.held() && !session.pinnedToMaster() && lanes.inflight(Route.PINNED) == 0) {
            pinned.release();
        }
        if (client.discardsReplies()) {
            return; // closing (QUIT, an output buffer limit): nothing more is sent; clientClosed releases the rest
        }
        PendingReply p;
        while (!retries.isEmpty()) {
            p = retries.due();
            if (p == null || lanes.mustWait(p.lane) || gateClosedFor(p.lane)) {
                return; // a scheduled call, a reply or the gate comes back here
            }
            retries.poll();
            send(p, null); // may put it back (still no master) and push the next try out
        }
        while (retries.isEmpty() && (p = held.peek()) != null && !lanes.mustWait(p.lane)
                && !gateClosedFor(p.lane)) {
            held.poll();
            send(p, null);
        }
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
        for (BackendConnection c : new ArrayList<>(blockingConnections)) {
            c.discard("client disconnected while blocked");
        }
        blockingConnections.clear();
    }
}
