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
    void countsFromSeveralThreadsAddUpInCumulativeBuckets() throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        LatencyHistogram h = new LatencyHistogram("t_duration_seconds", "help", "route", BUCKETS).register(registry);
        ProxyMetrics.Latency replica = h.series("replica");
        Thread other = new Thread(() -> {
            for (int i = 0; i < 1000; i++) {
                replica.recordNanos(50_000); // first bucket, from a second thread
            }
        });
        other.start();
        replica.recordNanos(100_000); // on the bound: still the first bucket (le is "less than or equal")
        replica.recordNanos(500_000);
        replica.recordNanos(20_000_000); // above every bound: +Inf only
        h.series("master").recordNanos(2_000_000);
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
}
