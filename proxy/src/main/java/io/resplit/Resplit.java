package io.resplit;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.resplit.admin.AdminServer;
import io.resplit.backend.BackendConnector;
import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.backend.WriteAck;
import io.resplit.cluster.ClusterDirectory;
import io.resplit.command.CommandTableLoader;
import io.resplit.config.ConfigException;
import io.resplit.config.ConfigDescriber;
import io.resplit.config.ConfigParser;
import io.resplit.config.ProxyConfig;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.net.OpenChannels;
import io.resplit.net.Transport;
import io.resplit.route.LeastOutstandingPolicy;
import io.resplit.sentinel.SentinelWatcher;
import io.resplit.server.ProxyContext;
import io.resplit.server.ProxyServer;
import io.resplit.tls.TlsContexts;
import io.resplit.topology.FailoverCoordinator;
import io.resplit.topology.Topology;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy process: reads the config, builds and wires every service, starts them, and stops them. The only
 * place that constructs services; several instances may run in one JVM (tests do). The steps with more to them
 * have classes of their own: {@link BackendNodes} (each node's health checks and meters),
 * {@link ConfiguredTopology} or {@link ClusterStart} (the first backends), {@link MasterIntrospection},
 * {@link FailoverStart} (the coordinator and what drives it) and {@link MetricsPort}.
 */
public final class Resplit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Resplit.class);
    /** How long a stop waits for the open connections to close. */
    private static final long CLOSE_CONNECTIONS_MS = 2000;
    /** A stopping event loop ends once no task came for this long (a closing connection may hand it some)... */
    private static final long LOOP_QUIET_MS = 50;
    /** ...or after this long in any case. */
    private static final long LOOP_STOP_MS = 2000;

    private final ProxyConfig config;
    private Transport transport; // io-transport auto may step down from io_uring at start
    private final OpenChannels open = new OpenChannels(); // every connection, for the stop to close
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private BackendNodes nodes;
    private ProxyServer server;
    private AdminServer admin;
    private MetricsPort metricsPort; // null when metrics are off
    private ProxyContext context;
    private TlsContexts tls; // null without TLS
    private SentinelWatcher sentinels; // Sentinel mode only
    private ScheduledExecutorService control; // role watching, replica discovery, cluster map
    private ClusterDirectory cluster; // cluster mode only
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
        startEventLoops(threads);
        tls = TlsContexts.create(config.tls()); // null without TLS; a bad file stops the start here
        BackendCredentials backendCredentials = new BackendCredentials(config.masteruser(), config.masterauth(),
                config.tls().backends() ? tls : null);
        BackendConnector connector = new BackendConnector(transport, backendCredentials, config.connectTimeoutMs(),
                config.ha().writeAckReplicas() > 0
                        ? new WriteAck(config.ha().writeAckReplicas(), config.ha().writeAckTimeoutMs())
                        : null, config.ha().clusterMode(), open);
        ProxyMetrics metrics = config.metricsPort() > 0 ? ProxyMetrics.prometheus() : ProxyMetrics.disabled();
        control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "resplit-topology-watch");
            t.setDaemon(true);
            return t;
        });
        nodes = new BackendNodes(config, connector, workers, threads, metrics);
        Topology topology;
        if (config.ha().clusterMode()) {
            cluster = ClusterStart.open(config, backendCredentials, nodes, control);
            topology = ClusterStart.oneNodeTopology(cluster.view());
        } else {
            if (config.ha().sentinelMode()) {
                sentinels = new SentinelWatcher(config.ha(), config.connectTimeoutMs());
            }
            topology = ConfiguredTopology.create(config, sentinels, nodes);
        }
        context = new ProxyContext(config, CommandTableLoader.builtIn(), topology,
                new LeastOutstandingPolicy(), workers, transport.name(), metrics, backendCredentials, tls);
        nodes.masterOf(cluster == null ? x -> context.topology().current().master()
                : x -> ClusterStart.masterOf(cluster, x));
        if (cluster != null) {
            ClusterStart.follow(cluster, context, metrics);
        }
        // the allocator the channels use (Netty 4.2's default is the adaptive one, not the pooled one)
        if (io.netty.buffer.ByteBufAllocator.DEFAULT instanceof io.netty.buffer.ByteBufAllocatorMetricProvider p) {
            metrics.nettyMemory(() -> (double) p.metric().usedDirectMemory(),
                    () -> (double) p.metric().usedHeapMemory());
        }
        nodes.awaitFirstChecks(cluster != null ? cluster.nodes() : topology.nodes());
        warmBlockingConnections(topology.master());
        new MasterIntrospection(config, context).refresh();
        server = new ProxyServer(context);
        port = server.start(transport, boss, workers, open);
        FailoverCoordinator failover = FailoverStart.coordinator(config, context, backendCredentials, nodes, metrics);
        if (config.metricsPort() > 0) {
            metricsPort = MetricsPort.open(config, metrics, context, failover);
        }
        admin = new AdminServer(config, context, failover, this::closeAndExit,
                args == null ? null : () -> ConfigParser.fromArgs(args));
        FailoverStart.follow(config, failover, context, sentinels, control);
        try {
            admin.start(transport, boss, open);
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

    /** The accepting loop and the I/O loops; with {@code auto}, on epoll when io_uring's loops cannot start. */
    private void startEventLoops(int threads) {
        try {
            newEventLoops(threads);
        } catch (RuntimeException e) {
            Transport fallback = transport.fallback();
            if (fallback == null) {
                throw e;
            }
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause(); // Netty wraps the reason in "failed to create a child event loop"
            }
            log.warn("io-transport auto: io_uring's event loops could not start ({}); using {}", cause.getMessage(),
                    fallback.name());
            if (boss != null) {
                boss.shutdownGracefully(0, LOOP_STOP_MS, TimeUnit.MILLISECONDS);
            }
            transport = fallback;
            newEventLoops(threads);
        }
    }

    private void newEventLoops(int threads) {
        boss = transport.newGroup(1, "resplit-accept");
        workers = transport.newGroup(threads, "resplit-io");
    }

    /** Blocking commands go to the master on connections of their own: have some ready on every loop. */
    private void warmBlockingConnections(BackendNode master) {
        int loopIndex = 0;
        for (EventExecutor e : workers) {
            EventLoop loop = (EventLoop) e;
            int index = loopIndex++;
            loop.execute(() -> master.warm(loop, index, 2, 0));
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
        return metricsPort == null ? 0 : metricsPort.port();
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
        if (metricsPort != null) {
            metricsPort.close();
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
        if (nodes != null) {
            nodes.stopMonitors();
        }
        // connections close while every loop still runs, so the requests they carried are failed and their
        // buffers released (OpenChannels says why); then the loops stop once no task came for a moment
        if (!open.closeAll(CLOSE_CONNECTIONS_MS)) {
            log.warn("{} connections had not closed after {} ms; the event loops stop anyway", open.size(),
                    CLOSE_CONNECTIONS_MS);
        }
        for (EventLoopGroup group : new EventLoopGroup[] {boss, workers}) {
            if (group != null) {
                group.shutdownGracefully(LOOP_QUIET_MS, LOOP_STOP_MS, TimeUnit.MILLISECONDS);
            }
        }
        for (EventLoopGroup group : new EventLoopGroup[] {boss, workers}) {
            if (group != null) {
                group.terminationFuture().syncUninterruptibly();
            }
        }
        log.info("resplit stopped");
    }
}
