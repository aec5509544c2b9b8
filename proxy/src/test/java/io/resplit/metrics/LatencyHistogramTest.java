package io.resplit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    private static final long[] BUCKETS = {100_000, 1_000_000, 10_000_000}; // 0.1 ms, 1 ms, 10 ms

    @Test
    void shardsOfSeveralThreadsAddUpInCumulativeBuckets() throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        LatencyHistogram h = new LatencyHistogram("t_duration_seconds", "help", "route", BUCKETS).register(registry);
        ProxyMetrics.Latency replica = h.shard("replica", 0);
        ProxyMetrics.Latency otherThreads = h.shard("replica", 1); // each recording thread has its own
        org.junit.jupiter.api.Assertions.assertSame(replica, h.shard("replica", 0), "one recorder per shard");
        Thread other = new Thread(() -> {
            for (int i = 0; i < 1000; i++) {
                otherThreads.recordNanos(50_000); // first bucket, from a second thread
            }
        });
        other.start();
        replica.recordNanos(100_000); // on the bound: still the first bucket (le is "less than or equal")
        replica.recordNanos(500_000);
        replica.recordNanos(20_000_000); // above every bound: +Inf only
        h.shard("master", 0).recordNanos(2_000_000);
        other.join();

        assertEquals(1001.0, registry.getSampleValue("t_duration_seconds_bucket", new String[]{"route", "le"},
                new String[]{"replica", "1.0E-4"}));
        assertEquals(1002.0, registry.getSampleValue("t_duration_seconds_bucket", new String[]{"route", "le"},
                new String[]{"replica", "0.001"}));
        assertEquals(1003.0, registry.getSampleValue("t_duration_seconds_bucket", new String[]{"route", "le"},
                new String[]{"replica", "+Inf"}));
        assertEquals(1003.0, registry.getSampleValue("t_duration_seconds_count", new String[]{"route"},
                new String[]{"replica"}));
        assertEquals((1000 * 50_000 + 100_000 + 500_000 + 20_000_000) / 1e9,
                registry.getSampleValue("t_duration_seconds_sum", new String[]{"route"}, new String[]{"replica"}),
                1e-12);
        assertEquals(0.0, registry.getSampleValue("t_duration_seconds_bucket", new String[]{"route", "le"},
                new String[]{"master", "0.001"}));
        assertEquals(1.0, registry.getSampleValue("t_duration_seconds_bucket", new String[]{"route", "le"},
                new String[]{"master", "0.01"}));

        StringWriter text = new StringWriter();
        TextFormat.write004(text, registry.metricFamilySamples());
        assertTrue(text.toString().contains("# TYPE t_duration_seconds histogram"), text.toString());
        assertTrue(text.toString().contains("t_duration_seconds_bucket{route=\"replica\",le=\"+Inf\",} 1003.0"),
                text.toString());
    }

    @Test
    void everyValueLandsInTheBucketANaiveSearchWouldPick() {
        long[] bounds = {50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000,
            25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 5_000_000_000L};
        CollectorRegistry registry = new CollectorRegistry();
        LatencyHistogram h = new LatencyHistogram("n_seconds", "help", "route", bounds).register(registry);
        ProxyMetrics.Latency shard = h.shard("x", 0);
        long[] expected = new long[bounds.length + 1];
        java.util.Random random = new java.util.Random(42);
        java.util.List<Long> values = new java.util.ArrayList<>(java.util.List.of(0L, 1L, Long.MAX_VALUE, -5L));
        for (long b : bounds) {
            values.addAll(java.util.List.of(b - 1, b, b + 1));
        }
        for (int i = 0; i < 10_000; i++) {
            values.add((long) Math.exp(random.nextDouble() * Math.log(1e10)));
        }
        for (long v : values) {
            shard.recordNanos(v);
            int i = 0;
            while (i < bounds.length && v > bounds[i]) {
                i++;
            }
            expected[i]++;
        }
        long cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += expected[i];
            String le = i == bounds.length ? "+Inf" : io.prometheus.client.Collector.doubleToGoString(bounds[i] / 1e9);
            assertEquals((double) cumulative, registry.getSampleValue("n_seconds_bucket", new String[]{"route", "le"},
                    new String[]{"x", le}), "le=" + le);
        }
    }
}
