package io.resplit.backend;

import io.netty.channel.EventLoop;
import io.resplit.config.HostPort;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Redis server behind the proxy: its address, its health as last seen ({@link NodeState}), and its data
 * connections, kept per event loop and per database so that a client only ever uses connections on its own
 * loop (no cross-thread hand-off on the hot path).
 *
 * <p>A failed connection marks the node down at once and starts a backoff before the next attempt; the
 * {@link NodeMonitor} re-admits it when a health check passes after the backoff ({@link NodeHealth}).
 */
public final class BackendNode {
    static final String DEDICATED_CLIENT_NAME = DedicatedConnections.CLIENT_NAME;

    private final HostPort address;
    private final BackendConnector connector;
    private final SharedConnections shared;
    private final DedicatedConnections dedicated;
    private final Object[] loopAttachments; // [loop index]: state another package keeps per loop (see attachToLoop)
    private final AtomicInteger inflight = new AtomicInteger();
    private final NodeHealth health;
    private final BusyState busy;
    private volatile boolean retired;
    private volatile int weight = 1;
    // requests on pinned connections (transactions): a failover waits for them like for shared ones, while
    // blocking commands, which may wait forever, are not counted
    private final AtomicInteger pinnedInflight = new AtomicInteger();

    public void pinnedStarted() {
        pinnedInflight.incrementAndGet();
    }

    public void pinnedEnded() {
        pinnedInflight.decrementAndGet();
    }

    /** Requests of transactions (MULTI ... EXEC) in flight on this node. */
    public int pinnedInflight() {
        return pinnedInflight.get();
    }

    /** Relative share of reads among equally loaded replicas (REPLICA ADD host port weight); 1 by default. */
    public int weight() {
        return weight;
    }

    public void weight(int value) {
        this.weight = Math.max(1, value);
    }

    public BackendNode(HostPort address, BackendConnector connector, int loops, int databases, int slots) {
        this(address, connector, loops, databases, slots, 0);
    }

    /** @param warmDedicated {@code blocking-pool-size}: ready dedicated connections kept per loop, protocol, db */
    public BackendNode(HostPort address, BackendConnector connector, int loops, int databases, int slots,
                       int warmDedicated) {
        this.address = address;
        this.health = new NodeHealth(address, connector == null ? new AtomicLong() : connector.sampleSequence());
        this.busy = new BusyState(address);
        this.connector = connector;
        this.shared = new SharedConnections(this, connector, loops, databases, slots);
        this.dedicated = new DedicatedConnections(this, connector, loops, databases, warmDedicated);
        this.loopAttachments = new Object[loops];
    }

    /** What another package attached to this node for event loop {@code loop}, or null; read on that loop only. */
    public Object loopAttachment(int loop) {
        return loopAttachments[loop];
    }

    /**
     * Attaches per-loop state owned by another package (the metrics keep each loop's backend latency recorder
     * here, found without a map lookup); written and read by event loop {@code loop} only.
     */
    public void attachToLoop(int loop, Object value) {
        loopAttachments[loop] = value;
    }

    public HostPort address() {
        return address;
    }

    /** Its health as last seen, the failure backoff, and its health checks' numbers (for its monitor). */
    NodeHealth health() {
        return health;
    }

    public NodeState state() {
        return health.state();
    }

    public boolean isUp() {
        return health.state().up();
    }

    /** Requests sent to this node and not yet answered, over all loops (for least-outstanding choice). */
    public int inflight() {
        return inflight.get();
    }

    /** Completes with the outcome of the first health check, for start-up. */
    public CompletableFuture<NodeState> firstCheck() {
        return health.firstCheck();
    }

    /**
     * A ready-or-connecting data connection on {@code loop} speaking RESP {@code protocol} (2 or 3) with
     * database {@code db} selected, opened on demand; null while a failure backoff is running. Connections are
     * keyed by protocol and database because both are connection state that every request on it shares.
     * Must be called on {@code loop}.
     */
    public BackendConnection connection(EventLoop loop, int loopIndex, int protocol, int db, int slot) {
        return shared.get(loop, loopIndex, protocol, db, slot);
    }

    /**
     * A connection for one client's exclusive use (a transaction, a blocking command), speaking {@code protocol}
     * with {@code db} selected: an idle one from this loop's pool, or a new one; null during a failure backoff.
     * Give it back with {@link #releaseDedicated} when the client no longer needs it. Must be called on
     * {@code loop}.
     */
    public BackendConnection dedicated(EventLoop loop, int loopIndex, int protocol, int db) {
        return dedicated.take(loop, loopIndex, protocol, db);
    }

    /**
     * Opens dedicated connections on {@code loop} until {@code blocking-pool-size} wait ready (or connecting)
     * in its pool for {@code protocol} and {@code db}: a blocking command then leaves at once, with no connection
     * set-up between it and the writes that follow it from other clients, as when it is sent to Redis directly.
     * Must be called on {@code loop}.
     */
    public void warm(EventLoop loop, int loopIndex, int protocol, int db) {
        dedicated.warm(loop, loopIndex, protocol, db);
    }

    /**
     * Takes back a dedicated connection. Only a connection in a clean state (no transaction, no WATCH, no
     * blocked command: {@code clean} says so) and with nothing in flight is kept for reuse, up to a few per
     * loop; any other is closed.
     */
    public void releaseDedicated(BackendConnection c, int loopIndex, boolean clean) {
        dedicated.release(c, loopIndex, clean);
    }

    /**
     * Closes every data connection to this node, each on its own loop: used when the node stops answering
     * without closing its sockets (a hung or paused process), so that in-flight reads are re-sent elsewhere
     * and in-flight writes get an error instead of waiting forever.
     */
    void closeDataConnections(String reason) {
        dedicated.closeAll(reason, 0);
        shared.closeAll(reason, true, 0);
    }

    /**
     * Takes the node out of use for good: its connections are closed after {@code graceMs}, time enough for
     * replies in flight to arrive (the node is no longer in the topology, so nothing new is sent).
     */
    public void retire(long graceMs) {
        retired = true;
        shared.closeAll("node removed from the topology", false, graceMs);
        dedicated.discardIdle("node removed from the topology", graceMs);
    }

    /**
     * Closes, after {@code graceMs}, the dedicated connections still in use on a retired node (a blocked command,
     * a transaction, a subscriber): a cluster node that left the map may never answer them, and no health check
     * watches it any more. Their clients get the error of a lost connection.
     */
    public void closeInUse(String reason, long graceMs) {
        dedicated.closeAll(reason, graceMs);
    }

    /**
     * Asks for a health check now rather than at the next interval: the last sample looks older than what the
     * caller knows (a cluster map naming this node master while its sample still says replica).
     */
    public void requestCheck() {
        health.requestCheck();
    }

    /** Retired: no connection is opened to it any more (a stale view or redirection may still name it). */
    public boolean isRetired() {
        return retired;
    }

    /**
     * Opens a RESP3 connection of its own to this node (database 0) for a feed that streams pushes, such as
     * client-side caching's invalidations; the caller puts it in streaming mode before sending anything.
     */
    public BackendConnection openFeedConnection(EventLoop loop, String clientName) {
        return connector.open(this, loop, 3, 0, clientName);
    }

    /** Opens the monitor's own connection (database 0). */
    BackendConnection openControlConnection(EventLoop loop) {
        return connector.open(this, loop, 2, 0, "resplit-monitor");
    }

    /** No new connection now: a failure backoff is running, or the node is retired. */
    boolean inBackoff() {
        return retired || health.backoffRunning();
    }

    /**
     * The sequence number of the newest health check sent so far, to any node (the sequence is shared). A
     * check numbered higher than this value was sent later, so its sample reflects every write acknowledged
     * before this call, whichever node is master by then.
     */
    public long lastSentSampleSeq() {
        return health.lastSentSampleSeq();
    }

    void requestStarted() {
        inflight.incrementAndGet();
    }

    void requestEnded() {
        inflight.decrementAndGet();
    }

    void connectionReady(BackendConnection conn) {
        health.connected();
    }

    void connectionClosed(BackendConnection conn, String reason, boolean wasReady) {
        markDown(reason);
    }

    /** Any connection, however it closed: forget it as a dedicated one. */
    void connectionGone(BackendConnection conn) {
        dedicated.gone(conn);
    }

    private final AtomicLong connectionsOpened = new AtomicLong();

    /** Connections opened to the node so far (data, dedicated and health-check; first ones and reconnects). */
    public long connectionsOpened() {
        return connectionsOpened.get();
    }

    /** The connector opened a connection to this node. */
    void connectionOpened() {
        connectionsOpened.incrementAndGet();
    }

    /** Times the node was taken out of service (for metrics). */
    public long downEvents() {
        return health.downEvents();
    }

    /** Takes the node out of service now; a health check after the backoff brings it back. */
    void markDown(String reason) {
        health.markDown(reason);
    }

    /** Whether a running script holds the node (BUSY), and a CLIENT PAUSE sent to it through the proxy. */
    public BusyState busy() {
        return busy;
    }

    /** A health check answered: publish the sample, and bring the node back if its backoff is over. */
    void onSample(long seq, InfoReplication info, long latencyMicros) {
        busy.ended(); // it answered, so no script holds it
        health.sampled(seq, info, latencyMicros, !inBackoff());
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
