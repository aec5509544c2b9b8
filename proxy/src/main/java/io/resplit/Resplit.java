package io.resplit;

import io.netty.channel.EventLoopGroup;
import io.resplit.backend.BackendConnector;
import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeMonitor;
import io.resplit.command.CommandTable;
import io.resplit.command.CommandTableLoader;
import io.resplit.config.ConfigException;
import io.resplit.config.ConfigDescriber;
import io.resplit.config.ConfigParser;
import io.resplit.config.HostPort;
import io.resplit.config.ProxyConfig;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.net.Transport;
import io.resplit.route.LeastOutstandingPolicy;
import io.resplit.server.ProxyContext;
import io.resplit.server.ProxyServer;
import io.resplit.topology.Topology;
import io.resplit.topology.TopologyHolder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy process: reads the config, builds and wires every service, starts them, and stops them. The only
 * place that constructs services; several instances may run in one JVM (tests do).
 */
public final class Resplit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Resplit.class);

    private final ProxyConfig config;
    private final Transport transport;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private final java.util.Map<BackendNode, NodeMonitor> monitors = new java.util.concurrent.ConcurrentHashMap<>();
    private ProxyServer server;
    private io.resplit.admin.AdminServer admin;
    private BackendConnector connector;
    private ProxyMetrics metrics;
    private io.resplit.metrics.MetricsHttpServer metricsHttp;
    private io.resplit.status.StatusPage statusPage; // on the metrics port
    private ProxyContext context;
    private io.resplit.tls.TlsContexts tls; // null without TLS
    private io.resplit.sentinel.SentinelWatcher sentinels; // Sentinel mode only
    private java.util.concurrent.ScheduledExecutorService control; // role watching, replica discovery, cluster map
    private io.resplit.cluster.ClusterDirectory cluster; // cluster mode only
    /** How often the cluster's slot map is read again, besides after redirections. */
    private static final long CLUSTER_REFRESH_MS = 1000;
    private int port;

    private final String[] args; // the command line, for RELOAD; null when built from a ProxyConfig alone

    public Resplit(ProxyConfig config) {
        this(config, null);
    }

    /** A proxy whose config came from {@code args} (a file and overrides), which RELOAD reads again. */
    public Resplit(ProxyConfig config, String[] args) {
        this.config = config;
        this.args = args == null ? null : args.clone();
        this.transport = Transport.named(config.ioTransport()); // a native one that cannot load stops here
    }

    public static void main(String[] args) {
        // Netty's leak detector samples every buffer it hands out; it is for tests (which run it at "paranoid"),
        // not for production traffic, unless an operator asks for it
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        ProxyConfig config;
        try {
            config = ConfigParser.fromArgs(args);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        Resplit proxy = new Resplit(config, args);
        proxy.exitOnShutdown = true; // as a process; in tests SHUTDOWN only stops this instance
        try {
            proxy.start();
        } catch (Exception e) {
            log.error("resplit failed to start: {}", e.getMessage(), e);
            proxy.close();
            System.exit(1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "resplit-shutdown"));
    }

    /** Starts everything; returns once clients can connect. */
    public Resplit start() throws InterruptedException {
        int threads = config.effectiveIoThreads();
        boss = transport.newGroup(1, "resplit-accept");
        workers = transport.newGroup(threads, "resplit-io");
        tls = io.resplit.tls.TlsContexts.create(config.tls()); // null without TLS; a bad file stops the start here
        BackendCredentials backendCredentials = new BackendCredentials(config.masteruser(), config.masterauth(),
                config.tls().backends() ? tls : null);
        connector = new BackendConnector(transport, backendCredentials, config.connectTimeoutMs(),
                config.ha().writeAckReplicas() > 0
                        ? new io.resplit.backend.WriteAck(config.ha().writeAckReplicas(), config.ha().writeAckTimeoutMs())
                        : null, config.ha().clusterMode());
        metrics = config.metricsPort() > 0 ? ProxyMetrics.prometheus() : ProxyMetrics.disabled();
        control = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "resplit-topology-watch");
            t.setDaemon(true);
            return t;
        });
        Topology topology;
        if (config.ha().clusterMode()) {
            cluster = new io.resplit.cluster.ClusterDirectory(config.ha().clusterNodes(), backendCredentials,
                    config.connectTimeoutMs(), nodeLifecycle(threads), control);
            if (!cluster.refresh()) {
                throw new IllegalStateException("cluster mode: no cluster-node " + config.ha().clusterNodes()
                        + " answered CLUSTER SHARDS or CLUSTER SLOTS with a slot map");
            }
            // INFO, CONFIG GET, MONITOR and SUBSCRIBE go to one node: the master of the shard serving slot 0
            topology = cluster.view().shardsBySlot().get(0);
        } else {
            topology = startTopology(threads);
        }
        context = new ProxyContext(config, CommandTableLoader.builtIn(), new TopologyHolder(topology),
                new LeastOutstandingPolicy(), workers,
                transport.name(), metrics, backendCredentials, tls);
        if (cluster != null) {
            context.cluster(cluster);
            cluster.onChange(view -> context.topology().swap(view.shardsBySlot().get(0)));
            cluster.onChange(view -> metrics.clusterShards(view.shardNames()));
            metrics.clusterShards(cluster.view().shardNames());
            metrics.cluster(cluster, c -> c.view().shardsBySlot().size(), c -> c.view().slotsServed(),
                    io.resplit.cluster.ClusterDirectory::changes, io.resplit.cluster.ClusterDirectory::movedCount,
                    io.resplit.cluster.ClusterDirectory::askCount, io.resplit.cluster.ClusterDirectory::retryCount);
            cluster.start(CLUSTER_REFRESH_MS);
        }
        // the allocator the channels use (Netty 4.2's default is the adaptive one, not the pooled one)
        if (io.netty.buffer.ByteBufAllocator.DEFAULT instanceof io.netty.buffer.ByteBufAllocatorMetricProvider p) {
            metrics.nettyMemory(() -> (double) p.metric().usedDirectMemory(),
                    () -> (double) p.metric().usedHeapMemory());
        }
        awaitFirstChecks(cluster != null ? cluster.nodes() : topology.nodes());
        // blocking commands go to the master on connections of their own: have some ready on every loop
        BackendNode master = topology.master();
        int loopIndex = 0;
        for (io.netty.util.concurrent.EventExecutor e : workers) {
            io.netty.channel.EventLoop loop = (io.netty.channel.EventLoop) e;
            int index = loopIndex++;
            loop.execute(() -> master.warm(loop, index, 2, 0));
        }
        new MasterIntrospection(config, context).refresh();
        server = new ProxyServer(context);
        port = server.start(transport, boss, workers);
        io.resplit.topology.FailoverCoordinator failover = new io.resplit.topology.FailoverCoordinator(
                context.topology(), context.writeGate(), backendCredentials, config.connectTimeoutMs());
        MasterIntrospection introspection = new MasterIntrospection(config, context);
        failover.onMasterChanged(change -> introspection.refresh(change.to())); // its COMMAND table and version
        io.resplit.cluster.ClusterDirectory.Nodes lifecycle = nodeLifecycle(threads);
        failover.nodeLifecycle(new io.resplit.topology.FailoverCoordinator.NodeLifecycle() {
            @Override
            public BackendNode create(HostPort address) {
                return lifecycle.create(address);
            }

            @Override
            public void retire(BackendNode n) {
                lifecycle.retire(n);
            }
        });
        metrics.failovers(failover, f -> f.completed(), f -> f.aborted(), f -> f.lastPauseMicros() / 1e6,
                f -> context.writeGate().waiting());
        ProxyMetrics.Latency pauses = metrics.failoverWritePauses();
        failover.onPause(micros -> pauses.recordNanos(micros * 1000));
        if (config.metricsPort() > 0) {
            try {
                metricsHttp = new io.resplit.metrics.MetricsHttpServer(config.metricsBind(), config.metricsPort(),
                        metrics, () -> context.topology().current().master().isUp());
                statusPage = new io.resplit.status.StatusPage(new io.resplit.status.StatusSources(context.topology(),
                        context.writeGate(), failover, metrics, context::connectedClients, metrics::clientsRefused,
                        () -> context.runtime().config().readFrom().name().toLowerCase(java.util.Locale.ROOT)));
                failover.onMasterChanged(statusPage::masterChanged);
                statusPage.serveOn(metricsHttp);
                metricsHttp.start();
                statusPage.start();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("could not open the metrics port: " + e.getMessage(), e);
            }
        }
        admin = new io.resplit.admin.AdminServer(config, context, failover, this::closeAndExit,
                args == null ? null : () -> ConfigParser.fromArgs(args));
        if (sentinels != null) {
            // the sentinels decide; a node's own claim to be master is never followed in this mode
            failover.promotion(new io.resplit.sentinel.SentinelPromotion(sentinels, failover.calls(),
                    config.connectTimeoutMs()));
            failover.managedBy("the sentinels", sentinels::status);
            sentinels.start(failover, context.topology());
        } else if (cluster == null) {
            // off the event loops: following a role change or adding a node waits while a failover holds the
            // coordinator, and an event loop must never wait (in cluster mode the cluster itself moves masters)
            control.scheduleWithFixedDelay(new io.resplit.topology.RoleWatcher(context.topology(), failover),
                    config.healthCheckIntervalMs(), config.healthCheckIntervalMs(), TimeUnit.MILLISECONDS);
            if (config.ha().replicaDiscovery()) {
                control.scheduleWithFixedDelay(new io.resplit.topology.ReplicaDiscovery(context.topology(), failover),
                        config.healthCheckIntervalMs(), config.healthCheckIntervalMs(), TimeUnit.MILLISECONDS);
            }
        }
        try {
            admin.start(transport, boss);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not open the admin console: " + e.getMessage(), e);
        }
        log.info("configuration {}: {}", config.source(), ConfigDescriber.changedFromDefaults(config));
        log.info("resplit started: transport {}, {} io threads, {}, read-from {}, table {}",
                transport.name(), threads, cluster != null
                        ? "cluster of " + cluster.view().shards().size() + " shards"
                        : "master " + context.topology().current().master() + ", replicas "
                                + context.topology().current().replicas(),
                config.readFrom(), context.runtime().table().source());
        return this;
    }

    /** Master and replicas from the config or the sentinels, each with its health checks started. */
    private Topology startTopology(int threads) {
        HostPort masterAddress = config.master();
        List<HostPort> replicaAddresses = config.replicas();
        if (config.ha().sentinelMode()) {
            sentinels = new io.resplit.sentinel.SentinelWatcher(config.ha(), config.connectTimeoutMs());
            try {
                io.resplit.sentinel.SentinelView.Decision found =
                        sentinels.discover(Math.max(5000L, 2L * config.connectTimeoutMs()));
                masterAddress = found.master();
                replicaAddresses = found.replicas() == null ? List.of() : found.replicas();
                log.info("sentinels name master {} (config epoch {}), replicas {}", masterAddress, found.epoch(),
                        replicaAddresses);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Sentinel mode: " + e.getMessage(), e);
            }
        }
        io.resplit.cluster.ClusterDirectory.Nodes lifecycle = nodeLifecycle(threads);
        BackendNode master = lifecycle.create(masterAddress);
        List<BackendNode> replicas = new ArrayList<>();
        for (HostPort r : replicaAddresses) {
            if (!r.equals(masterAddress)) {
                replicas.add(lifecycle.create(r));
            }
        }
        return new Topology(master, replicas);
    }

    /** Creates a node with its health checks and meters, and retires one. */
    private io.resplit.cluster.ClusterDirectory.Nodes nodeLifecycle(int threads) {
        return new io.resplit.cluster.ClusterDirectory.Nodes() {
            @Override
            public BackendNode create(HostPort address) {
                BackendNode n = node(address, connector, threads);
                meterNode(n);
                NodeMonitor m = new NodeMonitor(n, workers.next(), config.healthCheckIntervalMs(),
                        config.healthCheckTimeoutMs());
                monitors.put(n, m);
                m.start();
                return n;
            }

            @Override
            public void retire(BackendNode n) {
                NodeMonitor m = monitors.remove(n);
                if (m != null) {
                    m.stop();
                }
                n.retire(config.connectTimeoutMs());
                metrics.removeBackend(n.address().toString());
            }
        };
    }

    private BackendNode node(HostPort address, BackendConnector connector, int threads) {
        return new BackendNode(address, connector, threads, config.databases(), config.backendConnections(),
                config.blockingPoolSize());
    }

    /** The meters of one node; the current topology (in cluster mode its shard) says whether it is the master. */
    private void meterNode(BackendNode n) {
        metrics.backend(n.address().toString(), n, x -> x.isUp() ? 1 : 0,
                x -> masterOf(x) == x ? 1 : 0,
                x -> {
                    BackendNode m = masterOf(x);
                    long master = m == null ? -1 : m.state().offset();
                    long mine = x.state().offset();
                    return m == x || master < 0 || mine < 0 ? 0 : Math.max(0, master - mine);
                },
                BackendNode::inflight, BackendNode::downEvents,
                x -> x.state().latencyMicros() < 0 ? 0 : x.state().latencyMicros() / 1e6,
                BackendNode::connectionsOpened);
    }

    /** The master of {@code x}'s shard (the master itself for a master); null when it is in none now. */
    private BackendNode masterOf(BackendNode x) {
        if (context == null) {
            return null;
        }
        if (cluster == null) {
            return context.topology().current().master();
        }
        io.resplit.cluster.ClusterView view = cluster.view();
        Topology shard = view == null ? null : view.shardWith(x);
        return shard == null ? null : shard.master();
    }

    /** Waits (bounded) until every node was checked once, so the first clients find the nodes classified. */
    private void awaitFirstChecks(List<BackendNode> nodes) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs() + 500L);
        for (BackendNode n : nodes) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                n.firstCheck().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                log.warn("backend {} did not answer its first health check in time", n.address());
            }
            if (!n.isUp()) {
                log.warn("backend {} is down at start: {}", n.address(), n.state().reason());
            }
        }
    }

    /** The plaintext port clients connect to; 0 when there is none ({@code port 0}). */
    public int port() {
        return port;
    }

    /** The TLS port clients connect to; 0 when there is none. */
    public int tlsPort() {
        return server == null ? 0 : server.tlsPort();
    }

    public ProxyContext context() {
        return context;
    }

    /** The metrics HTTP port (the bound one when the config said a port), or 0 when metrics are off. */
    public int metricsPort() {
        return metricsHttp == null ? 0 : metricsHttp.port();
    }

    /** SHUTDOWN from the admin console. */
    private void closeAndExit() {
        close();
        if (exitOnShutdown) {
            System.exit(0);
        }
    }

    private volatile boolean exitOnShutdown;

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Stops everything; safe to call more than once (SHUTDOWN, then the shutdown hook). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("resplit stopping: {} client connections close", context == null ? 0 : context.connectedClients());
        if (admin != null) {
            admin.stop();
        }
        if (metricsHttp != null) {
            metricsHttp.stop();
        }
        if (statusPage != null) {
            statusPage.close();
        }
        if (sentinels != null) {
            sentinels.close();
        }
        if (control != null) {
            control.shutdownNow();
        }
        if (server != null) {
            server.stop();
        }
        monitors.values().forEach(NodeMonitor::stop);
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        log.info("resplit stopped");
    }
}
