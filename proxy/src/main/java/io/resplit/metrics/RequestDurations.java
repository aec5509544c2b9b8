package io.resplit.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two latency histograms observed on every request: a client request by route, a backend request by node.
 * Exported, they are collectors of our own in the Prometheus registry, counting per thread without atomics
 * ({@link LatencyHistogram} says why); otherwise Micrometer timers (no-ops when metrics are off).
 */
@SuppressWarnings("deprecation") // the Prometheus simpleclient registry: ProxyMetrics says why
final class RequestDurations {
    /** Latency buckets fit for sub-millisecond work, up to the seconds a failover or a blocked command takes. */
    static final Duration[] BUCKETS = {
        Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};

    static final long[] BUCKET_NANOS = java.util.Arrays.stream(BUCKETS).mapToLong(Duration::toNanos).toArray();

    private static final String REQUEST_HELP =
            "Time from a request's arrival to its reply being written to the client, by route";
    private static final String BACKEND_HELP =
            "Time from a request being sent to a backend to its reply arriving, by node";

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus; // null when metrics are not exported
    private LatencyHistogram requestHistogram; // created on first use
    private LatencyHistogram backendHistogram;

    RequestDurations(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
        this.registry = registry;
        this.prometheus = prometheus;
    }

    /** The recorder of {@code route} for shard {@code shard}. */
    synchronized ProxyMetrics.Latency request(String route, int shard) {
        if (prometheus == null) {
            return timer(registry, "resplit.request.duration", REQUEST_HELP, "route", route);
        }
        if (requestHistogram == null) {
            requestHistogram = new LatencyHistogram("resplit_request_duration_seconds", REQUEST_HELP, "route",
                    BUCKET_NANOS).register(prometheus.getPrometheusRegistry());
        }
        return requestHistogram.shard(route, shard);
    }

    /** The recorder of {@code node} for shard {@code shard}. */
    synchronized ProxyMetrics.Latency backend(String node, int shard) {
        if (prometheus == null) {
            return timer(registry, "resplit.backend.request.duration", BACKEND_HELP, "node", node);
        }
        if (backendHistogram == null) {
            backendHistogram = new LatencyHistogram("resplit_backend_request_duration_seconds", BACKEND_HELP, "node",
                    BUCKET_NANOS).register(prometheus.getPrometheusRegistry());
        }
        return backendHistogram.shard(node, shard);
    }

    /** Requests timed so far by route: counts per bucket, +Inf last. */
    synchronized Map<String, long[]> requestBuckets() {
        return requestHistogram == null ? Map.of() : requestHistogram.bucketTotals();
    }

    /** Backend requests timed so far by node: counts per bucket, +Inf last. */
    synchronized Map<String, long[]> backendBuckets() {
        return backendHistogram == null ? Map.of() : backendHistogram.bucketTotals();
    }

    /** A Micrometer timer with these buckets, {@code tag} = {@code value} when a tag is given. */
    static ProxyMetrics.Latency timer(MeterRegistry registry, String name, String help, String tag, String value) {
        Timer.Builder b = Timer.builder(name).description(help).serviceLevelObjectives(BUCKETS);
        Timer t = (tag == null ? b : b.tag(tag, value)).register(registry);
        return nanos -> t.record(nanos, TimeUnit.NANOSECONDS);
    }
}
