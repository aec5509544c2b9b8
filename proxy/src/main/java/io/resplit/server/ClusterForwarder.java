package io.resplit.server;

import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.cluster.ClusterDirectory;
import io.resplit.cluster.ClusterView;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import io.resplit.topology.Topology;
import java.util.ArrayDeque;

/**
 * Sends one client's requests to the nodes of a Redis Cluster (cluster mode's counterpart of
 * {@link Forwarder}): each request to the shard of its keys' slot (writes to its master, reads to a replica
 * that has the client's last write to that shard), commands Redis marks {@code multi_shard} split by slot and
 * {@code all_shards}/{@code all_nodes} ones sent to every master or node, their replies merged. Redirections
 * ({@code MOVED}, {@code ASK}) are followed here, and {@code TRYAGAIN}/{@code CLUSTERDOWN} and a missing master
 * retried with growing pauses up to {@code failover-hold-timeout}, so clients see neither (but for a multi-key
 * write a later request of the client for its slot went out behind: see {@link ClusterLanes}).
 *
 * <p>Order: a client's requests that may change data, or read from a master, run in the order sent as long as
 * the slot map stays the same (one connection per node, redirected requests re-sent in the order their
 * redirections arrive); when the map changes, new requests wait until those in flight under the old map are
 * answered. While a request waits for a retry, the client's later requests wait behind it. What comes back
 * (answers, errors, lost connections) is handled by its {@link ClusterOutcomes}. Runs on the client's event loop
 * only.
 */
final class ClusterForwarder {
    private final ClientHandler client;
    private final ClientSession session;
    private final ClusterDirectory cluster;
    private final ClusterLanes lanes = new ClusterLanes();
    private final SlowRequests slow;
    private final CommandMeters meters;
    private final ArrayDeque<PendingReply> held = new ArrayDeque<>();
    private final RetryQueue waiting;
    private final ClusterTransaction transaction;
    private final ClusterCalls calls;
    private final ClusterOutcomes outcomes;
    private boolean draining;
    private final ClusterTargets targets;
    private final ClusterConnections connections;

    ClusterForwarder(ClientHandler client, ProxyContext ctx, ClientSession session, EventLoop loop,
                     ScriptCache scripts) {
        this.client = client;
        this.session = session;
        this.cluster = ctx.cluster();
        this.targets = new ClusterTargets(ctx, lanes, cluster.view());
        this.slow = new SlowRequests(ctx.slowLog(), client);
        this.meters = ctx.meters(session.loopIndex());
        this.transaction = new ClusterTransaction(client, session, loop);
        this.connections = new ClusterConnections(client, session, loop);
        // the hold in force when a call first waits: the queue sets the call's deadline then
        this.waiting = new RetryQueue(loop, () -> ctx.runtime().config().failoverHoldTimeoutMs(), this::drain);
        this.outcomes = new ClusterOutcomes(this, client, session, lanes, transaction,
                new ClusterErrors(cluster, scripts), waiting, slow, meters);
        this.calls = new ClusterCalls(outcomes, client.alloc());
    }

    /** Routes {@code p}, whose place in the reply order is already taken. */
    void dispatch(PendingReply p) {
        // between WATCH and MULTI reads go to the master: a replica's older copy would make a check-and-set
        // pass that should fail
        p.lane(ClusterTransaction.pinnedLane(p, session) ? Route.PINNED
                : p.route() == Route.BLOCKING ? Route.BLOCKING
                : p.route() == Route.REPLICA && !session.watching() ? Route.REPLICA : Route.MASTER);
        // decided now, in the order the client sent them: by the time a held request is sent, the session may
        // already be in the client's next transaction
        p.endsPin(p.lane() == Route.PINNED && !session.pinnedToMaster());
        if (!held.isEmpty() || !waiting.isEmpty() || mustWait(p) || !start(p)) {
            held.add(p);
        }
    }

    private boolean mustWait(PendingReply p) {
        return lanes.mustWait(p.lane(), cluster.view(), transaction.ending());
    }

    /**
     * Sends {@code p} (or answers it); false when it must wait: one of its calls is for a slot on which a
     * multi-key write of this client is in flight (a TRYAGAIN would send that write again after it).
     */
    private boolean start(PendingReply p) {
        if (p.lane() == Route.PINNED) {
            sendPinned(p);
            return true;
        }
        ClusterCalls.Plan plan = calls.plan(p, cluster.view());
        if (plan.reply() != null) {
            slow.finished(p, SlowRequests.now(p));
            p.request.release();
            p.request = null;
            client.complete(p, plan.reply());
            return true;
        }
        ClusterView view = cluster.view();
        for (ShardCall c : plan.calls()) {
            if (c.slot >= 0 && view.migrating(c.slot) && lanes.multiKeyWriteInFlight(c.slot)) {
                plan.calls().forEach(ShardCall::release); // planned again when it may go
                return false;
            }
        }
        plan.calls().forEach(c -> send(c, null));
        return true;
    }

    /** Sends {@code c} to its node; false when it must wait (no master for its slot, node unreachable). */
    private boolean send(ShardCall c, BackendNode exclude) {
        ClusterView view = cluster.view();
        PendingReply p = c.parent;
        ClusterTargets.Target target = targets.choose(c, view, exclude);
        if (target == null) {
            cluster.refreshSoon();
            return waitRetry(c, "CLUSTERDOWN Hash slot not served");
        }
        if (p.tracked() && target.shard() != null && target.node() != target.shard().master()
                && !client.tracking().covers(target.node())) {
            // the replica's changes are not reported (yet): a tracked read would go stale; its master serves it
            target = new ClusterTargets.Target(target.shard().master(), target.shard());
        }
        boolean ask = c.asking != null && c.askingNeeded;
        c.asking = null; // a redirection holds for one send
        ClusterConnections.Link link = connections.open(c, target.node(), target.shard());
        if (link.answer() != null) { // BUSY, or a blocking command's time used up
            outcomes.deliver(c, link.answer(), link.error(), SlowRequests.now(p));
            return true;
        }
        BackendNode node = link.node();
        BackendConnection conn = link.conn();
        if (conn == null) {
            cluster.refreshSoon();
            return waitRetry(c, "CLUSTERDOWN resplit: " + node.address() + " is unavailable: "
                    + node.state().reason());
        }
        Topology shard = target.shard();
        c.node = node;
        c.attempts++;
        c.toMaster = shard == null || node == shard.master();
        lanes.started(c, view, link.own() ? conn : null);
        p.node = node;
        if (p.tracked()) {
            client.tracking().read(node, c.request, p.spec); // before it is sent: see ClientTracking
        }
        if (meters.enabled() && (c.attempts > 1 || p.heldSince() != 0)) {
            p.sentNanos(System.nanoTime());
        }
        if (c.loadFirst != null) { // on the same connection, so the script is there when the call runs
            conn.send(ScriptCache.loadRequest(client.alloc(), c.loadFirst), io.resplit.backend.ReplyCallback.IGNORE);
            c.loadFirst = null;
        }
        if (ask) {
            conn.send(RespRequest.of(client.alloc(), "ASKING").frame(), io.resplit.backend.ReplyCallback.IGNORE);
        }
        conn.send(c.request, c);
        return true;
    }

    /** A transaction's command, on the connection pinned to its slot's master ({@link ClusterTransaction}). */
    private void sendPinned(PendingReply p) {
        BackendConnection conn = transaction.connectionFor(p, cluster.view());
        if (conn == null) { // answered already (a refused EXEC ends the transaction), or the client is closing
            transaction.settled(lanes.pinnedInflight());
            return;
        }
        ShardCall c = new ShardCall(outcomes, p, null, 0, p.request, false, ShardCall.ANY_SLOT, true);
        c.pinned = true;
        c.node = conn.node();
        c.attempts = 1;
        lanes.started(c, null, null);
        p.node = c.node;
        conn.send(p.request, c);
    }

    /** Sends {@code c} again (a redirection, a read whose node was lost: not to {@code exclude}). */
    void resend(ShardCall c, BackendNode exclude) {
        if (!send(c, exclude)) {
            drain();
        }
    }

    /**
     * Puts {@code c} among the calls waiting for a retry, after a pause that doubles each time; when the hold
     * time is over it gets {@code error} (or the last error a node gave) instead. False: it was not sent.
     */
    boolean waitRetry(ShardCall c, String error) {
        if (error != null && !waiting.withinDeadline(c)) {
            outcomes.deliver(c, RespWriter.error(client.alloc(), error), true, SlowRequests.now(c.parent));
            return false;
        }
        cluster.retried();
        waiting.add(c, draining); // being sent by drain(): it was the head, and stays ahead of the rest
        return false;
    }

    /** Sends the retries that are due, in order, then the held requests that may go now. */
    void drain() {
        if (draining || client.discardsReplies()) {
            return;
        }
        draining = true;
        try {
            ShardCall c;
            while ((c = waiting.pollDue()) != null) {
                if (!send(c, null) && waiting.peek() == c) {
                    return; // back at the head, with a new pause (else it got its final error: go on)
                }
            }
            if (!waiting.isEmpty()) {
                return; // the head is not due yet
            }
            PendingReply p;
            while ((p = held.peek()) != null && !mustWait(p)) {
                held.poll();
                if (!start(p)) {
                    held.addFirst(p);
                    return;
                }
                if (!waiting.isEmpty()) {
                    return;
                }
            }
        } finally {
            draining = false;
        }
    }

    /**
     * Whether requests of this client wait here to be sent (held behind others, or for a retry after TRYAGAIN,
     * CLUSTERDOWN or a missing master): their writes have not run yet, and no fence counts them.
     */
    boolean holdsRequests() {
        return !held.isEmpty() || !waiting.isEmpty();
    }

    /** This client's read-your-writes fences per shard master, brought up to {@code view} (the current map). */
    io.resplit.route.ShardFences writeFences(ClusterView view) {
        return targets.fences(view);
    }

    /** Whether a blocking command of this client is waiting. */
    boolean blocked() {
        return lanes.blocked();
    }

    /** The connection a blocking command of this client waits on, or null (any thread: CLIENT UNBLOCK). */
    BackendConnection blockedOn() {
        return lanes.blockedOn();
    }

    /** The client has gone: held requests are dropped, and connections a blocking command waits on closed. */
    void clientClosed() {
        PendingReply p;
        while ((p = held.poll()) != null) {
            p.releaseAll();
        }
        waiting.clear(outcomes::abandon);
        lanes.clientClosed();
        transaction.clientClosed();
    }
}
