package io.resplit.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every meter of the proxy, declared once with its help text and unit: here, or for the larger groups in the
 * class this one hands them to: {@link CommandCounts} and {@link RequestDurations} (the request path's counts by
 * command and its two latency histograms), {@link BackendMeters} (each node's), {@link ClusterMeters} (cluster
 * mode's). This class is the one face the rest of the proxy sees. Prometheus names follow from the
 * Micrometer names: {@code resplit.commands} becomes {@code resplit_commands_total}, a timer
 * {@code resplit.request.duration} becomes {@code resplit_request_duration_seconds_bucket/_count/_sum}.
 * Labels are bounded: command names come from the command table, routes and outcomes from fixed sets, nodes
 * from the configuration.
 */
// The project chose Micrometer's Prometheus *simpleclient* registry, which Micrometer deprecated in 1.13 in favour
// of its registry for the new Prometheus client (io.micrometer:micrometer-registry-prometheus). Moving to it is a
// project decision noted for the metrics issue; until then this one deprecation is expected here and in
// RequestDurations (the histograms are registered in that registry), nowhere else.
@SuppressWarnings("deprecation")
public final class ProxyMetrics {
    /**
     * Records durations into a latency histogram. The recorders {@link #requestDuration} and
     * {@link #backendDuration} return belong to one shard, that is one thread (the event loop whose index is the
     * shard): no synchronization inside. The same shard number gives the same recorder.
     */
    public interface Latency {
        void recordNanos(long nanos);
    }

    /**
     * A counter added to on every request. The ones {@link #commands}, {@link #bytesIn} and {@link #bytesOut}
     * return belong to one shard, that is one thread (the event loop whose index is the shard; see
     * {@link ShardedCounter}). The same shard number gives the same counter.
     */
    public interface Count {
        void add(long n);

        default void increment() {
            add(1);
        }
    }

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus; // null when metrics are off
    private final RequestDurations durations;
    private final BackendMeters backends;
    private final ClusterMeters cluster;

    private final Counter protocolErrors;
    private final Counter authFailures;
    private final Counter aclDenials;
    private final ShardedCounter bytesIn; // fields hold them strongly: function counters keep a weak reference
    private final ShardedCounter bytesOut;
    private final CommandCounts commands;
    private final Counter readsRedirectedToMaster;

    private ProxyMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
        this.registry = registry;
        this.prometheus = prometheus;
        this.durations = new RequestDurations(registry, prometheus);
        this.backends = new BackendMeters(registry);
        this.cluster = new ClusterMeters(registry);
        this.commands = new CommandCounts(registry);
        protocolErrors = Counter.builder("resplit.protocol.errors")
                .description("Client requests refused as malformed RESP (the connection is closed)").register(registry);
        authFailures = Counter.builder("resplit.client.auth.failures")
                .description("AUTH or HELLO AUTH attempts with a wrong password").register(registry);
        aclDenials = Counter.builder("resplit.client.acl.denials")
                .description("Requests refused with NOPERM by the proxy's users (command, key or channel)")
                .register(registry);
        bytesIn = counter("resplit.client.received", "bytes", "Request bytes received from clients");
        bytesOut = counter("resplit.client.sent", "bytes", "Reply bytes written to clients");
        readsRedirectedToMaster = Counter.builder("resplit.reads.master.redirects")
                .description("Reads sent to the master because no replica had the client's own writes yet "
                        + "(read-your-writes)").register(registry);
    }

    /** Metrics exported over HTTP, with JVM and process meters. */
    public static ProxyMetrics prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // jvm.threads.states takes a ThreadInfo snapshot of every thread once per state, six per scrape: about a
        // third of a scrape's CPU (2 ms of 6-7 ms, bench/README.md); the live, daemon and peak counts are cheap
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("jvm.threads.states"));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return new ProxyMetrics(registry, registry);
    }

    /**
     * Metrics off ({@code metrics-port 0}): every meter is Micrometer's no-op, so the hot path pays only the
     * calls (this is what the benchmark compares against to measure the cost of metrics).
     */
    public static ProxyMetrics disabled() {
        return new ProxyMetrics(new io.micrometer.core.instrument.composite.CompositeMeterRegistry(), null);
    }

    /** Metrics kept in memory only (tests read them without HTTP). */
    public static ProxyMetrics inMemory() {
        return new ProxyMetrics(new SimpleMeterRegistry(), null);
    }

    /** Whether meters record anything (false for {@link #disabled()}). */
    public boolean enabled() {
        return !(registry instanceof io.micrometer.core.instrument.composite.CompositeMeterRegistry c)
                || !c.getRegistries().isEmpty();
    }

    /** The Prometheus text exposition, or null when metrics are not exported. */
    public String scrape() {
        return prometheus == null ? null : prometheus.scrape();
    }

    /**
     * Commands answered, by command, route and outcome (ok or error reply). The same labels give the same
     * counter, whichever thread asks first.
     */
    public Count commands(String command, String route, String outcome, int shard) {
        return commands.get(command, route, outcome, shard);
    }

    /**
     * Replies counted so far by route, summed over commands: {@code [ok, error]}. For readers that sample every
     * few seconds (the status page); it walks every command's counter.
     */
    public java.util.Map<String, long[]> repliesByRoute() {
        return commands.byRoute();
    }

    /** The upper bounds of the latency histograms' buckets, in nanoseconds (+Inf not included). */
    public static long[] latencyBucketNanos() {
        return RequestDurations.BUCKET_NANOS.clone();
    }

    /** Requests timed so far by route: counts per bucket of {@link #latencyBucketNanos()}, +Inf last. */
    public java.util.Map<String, long[]> requestDurationBuckets() {
        return durations.requestBuckets();
    }

    /** Backend requests timed so far by node: counts per bucket of {@link #latencyBucketNanos()}, +Inf last. */
    public java.util.Map<String, long[]> backendDurationBuckets() {
        return durations.backendBuckets();
    }

    private ShardedCounter counter(String name, String unit, String help) {
        ShardedCounter c = new ShardedCounter();
        FunctionCounter.builder(name, c, ShardedCounter::sum).baseUnit(unit).description(help).register(registry);
        return c;
    }

    /** From a request's arrival to its reply being written, by route. */
    public Latency requestDuration(String route, int shard) {
        return durations.request(route, shard);
    }

    /** From a request being sent to a backend to its reply arriving, by node. */
    public Latency backendDuration(String node, int shard) {
        return durations.backend(node, shard);
    }

    public Counter protocolErrors() {
        return protocolErrors;
    }

    public Counter authFailures() {
        return authFailures;
    }

    public Counter aclDenials() {
        return aclDenials;
    }

    /** Request bytes received: the recorder of shard {@code shard} (an event loop's index). */
    public Count bytesIn(int shard) {
        return bytesIn.shard(shard);
    }

    /** Reply bytes written: the recorder of shard {@code shard} (an event loop's index). */
    public Count bytesOut(int shard) {
        return bytesOut.shard(shard);
    }

    public Counter readsRedirectedToMaster() {
        return readsRedirectedToMaster;
    }

    /** Entries added to the slow log, read from the log's own count at scrape time. */
    public <T> void slowLog(T source, ToDoubleFunction<T> added) {
        FunctionCounter.builder("resplit.slowlog.entries", source, added)
                .description("Requests slower than slowlog-log-slower-than, added to the slow log").register(registry);
    }

    /** Client connection meters, read from the proxy's own counters. */
    public <T> void clients(T source, ToDoubleFunction<T> connected, ToDoubleFunction<T> accepted,
                            ToDoubleFunction<T> rejected) {
        Gauge.builder("resplit.clients.connected", source, connected)
                .description("Client connections open now").register(registry);
        FunctionCounter.builder("resplit.clients.accepted", source, accepted)
                .description("Client connections accepted").register(registry);
        FunctionCounter.builder("resplit.clients.rejected", source, rejected)
                .description("Client connections refused because maxclients were connected").register(registry);
    }

    /** Client connections refused so far because maxclients were connected, as its meter reads it. */
    public long clientsRefused() {
        FunctionCounter refused = registry.find("resplit.clients.rejected").functionCounter();
        return refused == null ? 0 : (long) refused.count();
    }

    /** Requests waiting for a master (none is up, or a node answered READONLY), over every client. */
    public <T> void waitingForMaster(T source, ToDoubleFunction<T> waiting) {
        Gauge.builder("resplit.writes.waiting.master", source, waiting)
                .description("Requests held because there is no master, waiting up to failover-hold-timeout for one")
                .register(registry);
    }

    /** Client-side caching: tracking clients, and keys the proxy remembers for them over all nodes. */
    public <T> void tracking(T source, ToDoubleFunction<T> clients, ToDoubleFunction<T> keys) {
        Gauge.builder("resplit.tracking.clients", source, clients)
                .description("Client connections with CLIENT TRACKING on")
                .register(registry);
        Gauge.builder("resplit.tracking.keys", source, keys)
                .description("Keys remembered for tracking clients, over all nodes (tracking-table-max-keys)")
                .register(registry);
    }

    /** Cluster mode: the slot map as the proxy sees it, and how often nodes redirected or deferred requests. */
    public <T> void cluster(T source, ToDoubleFunction<T> shards, ToDoubleFunction<T> slotsServed,
                            ToDoubleFunction<T> mapChanges, ToDoubleFunction<T> moved, ToDoubleFunction<T> ask,
                            ToDoubleFunction<T> retries) {
        cluster.add(source, shards, slotsServed, mapChanges, moved, ask, retries);
    }

    /**
     * Cluster mode: which shard each node belongs to, as {@code resplit_cluster_node_shard{node, shard} 1} (an
     * info metric to join the per-node meters on); replaced whole when the map changes. A shard is named by its
     * lowest node address, which failovers and resharding do not change.
     */
    public void clusterShards(java.util.Map<String, String> shardByNode) {
        cluster.shards(shardByNode);
    }

    /** Meters of one backend node; the node's address is the label. */
    public <T> void backend(String node, T source, ToDoubleFunction<T> up, ToDoubleFunction<T> isMaster,
                            ToDoubleFunction<T> lagBytes, ToDoubleFunction<T> inflight,
                            ToDoubleFunction<T> downs, ToDoubleFunction<T> checkLatencySeconds,
                            ToDoubleFunction<T> connectionsOpened) {
        backends.add(node, source, up, isMaster, lagBytes, inflight, downs, checkLatencySeconds, connectionsOpened);
    }

    /** Drops the meters {@link #backend} registered for a node that left the topology. */
    public void removeBackend(String node) {
        backends.remove(node);
    }

    /** Failover meters. */
    public <T> void failovers(T source, ToDoubleFunction<T> done, ToDoubleFunction<T> aborted,
                              ToDoubleFunction<T> lastPauseSeconds, ToDoubleFunction<T> clientsHeld) {
        FunctionCounter.builder("resplit.failovers", source, done).tag("outcome", "done")
                .description("Failovers run by the proxy, by outcome").register(registry);
        FunctionCounter.builder("resplit.failovers", source, aborted).tag("outcome", "aborted")
                .description("Failovers run by the proxy, by outcome").register(registry);
        Gauge.builder("resplit.failover.last.write.pause", source, lastPauseSeconds).baseUnit("seconds")
                .description("How long writes were held during the last completed failover").register(registry);
        Gauge.builder("resplit.writes.held.clients", source, clientsHeld)
                .description("Client connections whose writes wait at the write gate now").register(registry);
    }

    /** How long writes were held, one sample per completed failover (rare: a plain Micrometer timer). */
    public Latency failoverWritePauses() {
        return RequestDurations.timer(registry, "resplit.failover.write.pause",
                "How long writes were held by each completed failover", null, null);
    }

    /** Netty's pooled buffer memory, where the allocator reports it. */
    public void nettyMemory(Supplier<Double> usedDirectBytes, Supplier<Double> usedHeapBytes) {
        Gauge.builder("resplit.netty.buffer.memory", usedDirectBytes).tag("area", "direct").baseUnit("bytes")
                .description("Memory held by Netty's buffer allocator").register(registry);
        Gauge.builder("resplit.netty.buffer.memory", usedHeapBytes).tag("area", "heap").baseUnit("bytes")
                .description("Memory held by Netty's buffer allocator").register(registry);
    }
}
