package io.resplit.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    @Test
    void recordersOfSeveralThreadsAddUpInOneSeries() throws Exception {
        ProxyMetrics metrics = ProxyMetrics.prometheus();
        ProxyMetrics.Count get = metrics.commands("get", "replica", "ok");
        ProxyMetrics.Count otherThreads = metrics.commands("get", "replica", "ok"); // a recorder per thread
        Thread other = new Thread(() -> {
            for (int i = 0; i < 500; i++) {
                otherThreads.increment();
            }
        });
        other.start();
        for (int i = 0; i < 250; i++) {
            get.increment();
        }
        other.join();
        metrics.bytesIn().add(1000);
        System.gc(); // the counters must not depend on anything but the metrics object keeping them alive
        String text = metrics.scrape();
        assertTrue(text.matches("(?s).*resplit_commands_total\\{command=\"get\",outcome=\"ok\",route=\"replica\",?} 750\\.0.*"),
                text);
        assertTrue(text.matches("(?s).*resplit_client_received_bytes_total(\\{})? 1000\\.0.*"), text);
    }
}
