package io.resplit.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    @Test
    void recordersOfSeveralThreadsAddUpInOneSeries() throws Exception {
        ProxyMetrics metrics = ProxyMetrics.prometheus();
        ProxyMetrics.Count get = metrics.commands("get", "replica", "ok", 0);
        ProxyMetrics.Count otherThreads = metrics.commands("get", "replica", "ok", 1); // a recorder per thread
        org.junit.jupiter.api.Assertions.assertSame(get, metrics.commands("get", "replica", "ok", 0),
                "asking again (a command-table refresh) gives the same recorder, no new cell");
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
        metrics.bytesIn(0).add(1000);
        System.gc(); // the counters must not depend on anything but the metrics object keeping them alive
        String text = metrics.scrape();
        assertTrue(text.matches("(?s).*resplit_commands_total\\{command=\"get\",outcome=\"ok\",route=\"replica\",?} 750\\.0.*"),
                text);
        assertTrue(text.matches("(?s).*resplit_client_received_bytes_total(\\{})? 1000\\.0.*"), text);
    }
}
