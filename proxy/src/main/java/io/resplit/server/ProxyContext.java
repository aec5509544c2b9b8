package io.resplit.server;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.resplit.command.CommandTable;
import io.resplit.config.ProxyConfig;
import io.resplit.resp.RespLimits;
import io.resplit.route.ReplicaPolicy;
import io.resplit.topology.Topology;
import io.resplit.topology.TopologyHolder;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The services a client connection uses, built once by {@code Resplit} and passed to every handler: the
 * {@link RuntimeSnapshot} (topology, config, command table, routing, users; replaced whole), the replica
 * policy, the client registry, meters, slow log and the event loops' indices.
 */
public final class ProxyContext {
    // the one field the runtime state is published through: readers take one snapshot and see one state. Every
    // change (a topology swap on a failover thread, a reconfigure on the admin's) is a compare-and-set over the
    // latest snapshot, so two racing on different threads are both kept, where two plain writes could lose one
    private final AtomicReference<RuntimeSnapshot> runtime;
    private final TopologyHolder topology; // a view over runtime's topology, for the failover code
    private final ReplicaPolicy replicaPolicy;
    private final RespLimits limits;
    private final ClientRegistry clients;
    private final Map<EventExecutor, Integer> loopIndex = new IdentityHashMap<>();
    private final String transportName;
    private final long startMillis = System.currentTimeMillis();
    private final io.resplit.topology.WriteGate writeGate;
    private final boolean writeAckOn;
    private final io.resplit.backend.BackendCredentials backendCredentials;
    private final io.resplit.tls.TlsContexts tls;

    private final io.resplit.metrics.ProxyMetrics metrics;
    private final CommandMeters[] meters; // one per event loop, by loop index
    // requests held because there is no master (MasterWait), over every client: only moves during outages
    private final java.util.concurrent.atomic.AtomicLong waitingForMaster =
            new java.util.concurrent.atomic.AtomicLong();
    private final io.resplit.slowlog.SlowLog slowLog;
    private final io.resplit.tracking.InvalidationHub invalidations;

    /** @throws io.resplit.config.ConfigException when the users of {@code config} cannot be built */
    public ProxyContext(ProxyConfig config, CommandTable table, Topology topology, ReplicaPolicy replicaPolicy,
                        EventLoopGroup loops, String transportName,
                        io.resplit.metrics.ProxyMetrics metrics, io.resplit.backend.BackendCredentials backend,
                        io.resplit.tls.TlsContexts tls) {
        this.runtime = new AtomicReference<>(RuntimeSnapshot.initial(topology, config, table));
        this.topology = TopologyHolder.over(runtime, RuntimeSnapshot::topology, RuntimeSnapshot::withTopology);
        this.metrics = metrics;
        this.backendCredentials = backend;
        this.tls = tls;
        this.writeGate = new io.resplit.topology.WriteGate(loops);
        this.invalidations = new io.resplit.tracking.InvalidationHub(new TrackedNodes(this),
                (EventLoop) loops.iterator().next(), config.trackingTableMaxKeys());
        metrics.tracking(invalidations, io.resplit.tracking.InvalidationHub::trackers,
                io.resplit.tracking.InvalidationHub::keys);
        this.writeAckOn = config.ha().writeAckReplicas() > 0;
        this.slowLog = new io.resplit.slowlog.SlowLog(config.slowlogLogSlowerThan(), config.slowlogMaxLen());
        metrics.clients(this, c -> c.clients.connected(), c -> c.clients.accepted(), c -> c.clients.rejected());
        metrics.waitingForMaster(waitingForMaster, java.util.concurrent.atomic.AtomicLong::get);
        metrics.slowLog(slowLog, io.resplit.slowlog.SlowLog::added);
        this.replicaPolicy = replicaPolicy;
        this.limits = new RespLimits(config.protoMaxBulkLen(), config.clientQueryBufferLimit());
        this.clients = new ClientRegistry(config.maxclients());
        this.transportName = transportName;
        int i = 0;
        for (EventExecutor e : loops) {
            loopIndex.put(e, i++);
        }
        this.meters = new CommandMeters[i];
        for (int k = 0; k < i; k++) {
            meters[k] = new CommandMeters(metrics, k, i);
        }
    }

    /** The current runtime state; a request takes it once and uses that one throughout. */
    public RuntimeSnapshot runtime() {
        return runtime.get();
    }

    private io.resplit.cluster.ClusterDirectory cluster; // set once before clients connect, in cluster mode

    /** The cluster's nodes and slot map in cluster mode ({@code cluster-node}); null otherwise. */
    public io.resplit.cluster.ClusterDirectory cluster() {
        return cluster;
    }

    /** Cluster mode's directory; called once, before the server accepts clients. */
    public void cluster(io.resplit.cluster.ClusterDirectory directory) {
        this.cluster = directory;
    }

    /** How the proxy reaches and authenticates to its backends (for the control plane's own calls). */
    public io.resplit.backend.BackendCredentials backendCredentials() {
        return backendCredentials;
    }

    /** The TLS contexts (RELOAD re-reads their files), or null when TLS is off. */
    public io.resplit.tls.TlsContexts tls() {
        return tls;
    }

    /** Whether writes wait for replicas ({@code write-ack-replicas} above 0; fixed at start). */
    boolean writeAckOn() {
        return writeAckOn;
    }

    /**
     * Applies a changed configuration to what reads it per request (routing, auth, lag and hold limits);
     * settings fixed at start (ports, threads, limits) are not affected by this.
     *
     * @throws io.resplit.config.ConfigException when the users of {@code next} cannot be built; nothing changes
     */
    public synchronized void reconfigure(ProxyConfig next) {
        // bad users (or aclfile) throw before anything is published; synchronized so that two reconfigures leave
        // the slow log set as the snapshot that stays
        runtime.updateAndGet(s -> s.withConfig(next));
        slowLog.configure(next.slowlogLogSlowerThan(), next.slowlogMaxLen());
    }

    /** Requests held by {@link MasterWait} right now, over every client. */
    java.util.concurrent.atomic.AtomicLong waitingForMaster() {
        return waitingForMaster;
    }

    /** Requests slower than {@code slowlog-log-slower-than}, for the admin console's SLOWLOG. */
    public io.resplit.slowlog.SlowLog slowLog() {
        return slowLog;
    }

    /** Whether requests are timed: for metrics, or for the slow log. */
    boolean timed() {
        return metrics.enabled() || slowLog.enabled();
    }

    /** Replaces the command table, e.g. with one read from the master's COMMAND reply. */
    public void table(CommandTable next) {
        runtime.updateAndGet(s -> s.withTable(next));
    }

    /** Checks the users of {@code c} against the current table without applying them (RELOAD, first). */
    public void checkUsers(ProxyConfig c) {
        RuntimeSnapshot.users(c, runtime().table());
    }

    /**
     * The topology of the current snapshot, for the failover code: {@code current()} reads it, {@code swap} publishes
     * a snapshot with another one (the rest of the latest snapshot kept). Code that also reads the config takes
     * {@link #runtime()} once instead, and reads both from it.
     */
    public TopologyHolder topology() {
        return topology;
    }

    /** The meters of the event loop with index {@code loop}, for use on that loop only. */
    CommandMeters meters(int loop) {
        return meters[loop];
    }

    public io.resplit.metrics.ProxyMetrics metrics() {
        return metrics;
    }

    /** Every client connection, one CLIENT LIST line each (for the admin console). */
    public String describeClients() {
        StringBuilder out = new StringBuilder();
        for (ClientHandler h : clients.all()) {
            out.append(ClientInfo.line(h)).append('\n');
        }
        return out.toString();
    }

    private volatile Runnable stopAccepting = () -> { };

    /** Set by the server: closes the listening sockets (existing connections stay). */
    void onStopAccepting(Runnable action) {
        this.stopAccepting = action;
    }

    public void stopAccepting() {
        stopAccepting.run();
    }

    /** Requests sent to backends and not yet answered, over all nodes (for a graceful shutdown). */
    public int requestsInFlight() {
        int n = 0;
        for (io.resplit.backend.BackendNode node : runtime().topology().nodes()) {
            n += node.inflight();
        }
        return n;
    }

    /** Client connections open now. */
    public int connectedClients() {
        return clients.connected();
    }

    /** Closed while a failover moves the master: new master traffic waits. */
    public io.resplit.topology.WriteGate writeGate() {
        return writeGate;
    }

    public ReplicaPolicy replicaPolicy() {
        return replicaPolicy;
    }

    public RespLimits limits() {
        return limits;
    }

    ClientRegistry clients() {
        return clients;
    }

    /** Client-side caching: the nodes' invalidation feeds and which tracking clients read which keys. */
    public io.resplit.tracking.InvalidationHub invalidations() {
        return invalidations;
    }

    int loopIndex(EventLoop loop) {
        return loopIndex.get(loop);
    }

    String transportName() {
        return transportName;
    }

    long startMillis() {
        return startMillis;
    }

    /** The master's {@code redis_version}, reported by HELLO so clients enable the right features. */
    public void backendVersion(String version) {
        runtime.updateAndGet(s -> s.withBackendVersion(version));
    }

    /** The master's database count: SELECT accepts no more than it has. */
    public void masterDatabases(int masterCount) {
        runtime.updateAndGet(s -> s.withMasterDatabases(masterCount));
    }
}
