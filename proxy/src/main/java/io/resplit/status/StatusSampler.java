package io.resplit.status;

import io.resplit.metrics.ProxyMetrics;
import io.resplit.topology.BackendView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every few seconds, reads the meters the proxy keeps anyway (replies by route, the request and backend latency
 * histograms) and the nodes' lag, and adds the differences since the last run to the ring as one
 * {@link Sample}. The request path pays nothing for it: the counters exist for {@code /metrics} already, and
 * reading them is what a scrape does, without the text.
 */
final class StatusSampler implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StatusSampler.class);

    private final StatusSources sources;
    private final SampleRing<Sample> ring;
    private final long[] bounds = ProxyMetrics.latencyBucketNanos();

    // the totals at the last run; null before the first, which only sets the baseline
    private Map<String, long[]> lastReplies;
    private Map<String, long[]> lastRouteBuckets;
    private Map<String, long[]> lastNodeBuckets;
    private long lastNanos;

    StatusSampler(StatusSources sources, SampleRing<Sample> ring) {
        this.sources = sources;
        this.ring = ring;
    }

    @Override
    public void run() {
        try {
            sample();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log it and keep sampling
            log.warn("status page sample failed", e);
        }
    }

    private void sample() {
        long now = System.nanoTime();
        ProxyMetrics metrics = sources.metrics();
        Map<String, long[]> replies = metrics.repliesByRoute();
        Map<String, long[]> routeBuckets = metrics.requestDurationBuckets();
        Map<String, long[]> nodeBuckets = metrics.backendDurationBuckets();
        if (lastReplies != null) {
            double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
            Map<String, Sample.RouteFigures> routes = new TreeMap<>();
            replies.forEach((route, totals) -> {
                long[] before = lastReplies.getOrDefault(route, new long[2]);
                long ok = Math.max(0, totals[0] - before[0]);
                long errors = Math.max(0, totals[1] - before[1]);
                routes.put(route, new Sample.RouteFigures((ok + errors) / seconds, errors / seconds,
                        p99(routeBuckets.get(route), lastRouteBuckets.get(route))));
            });
            Map<String, Sample.NodeFigures> nodes = new LinkedHashMap<>();
            for (BackendView n : BackendView.of(sources.topology().current())) {
                String node = n.address().toString();
                long[] delta = delta(nodeBuckets.get(node), lastNodeBuckets.get(node));
                long requests = 0;
                for (long c : delta) {
                    requests += c;
                }
                nodes.put(node, new Sample.NodeFigures(requests / seconds, Quantile.micros(0.99, delta, bounds),
                        n.lagBytes()));
            }
            ring.add(new Sample(System.currentTimeMillis(), routes, nodes));
        }
        lastReplies = replies;
        lastRouteBuckets = routeBuckets;
        lastNodeBuckets = nodeBuckets;
        lastNanos = now;
    }

    private long p99(long[] now, long[] before) {
        return Quantile.micros(0.99, delta(now, before), bounds);
    }

    /** Observations per bucket since {@code before} (a series that did not exist then counts from zero). */
    private long[] delta(long[] now, long[] before) {
        long[] out = new long[bounds.length + 1];
        if (now == null) {
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(0, now[i] - (before == null ? 0 : before[i]));
        }
        return out;
    }
}
