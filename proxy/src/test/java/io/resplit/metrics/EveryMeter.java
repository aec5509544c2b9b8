package io.resplit.metrics;

/** For tests: a Prometheus registry with every kind of meter the proxy has registered once. */
public final class EveryMeter {
    private EveryMeter() {
    }

    public static ProxyMetrics registered() {
        ProxyMetrics metrics = ProxyMetrics.prometheus();
        metrics.commands("get", "replica", "ok", 0).increment();
        metrics.requestDuration("replica", 0).recordNanos(100_000);
        metrics.backendDuration("127.0.0.1:6380", 0).recordNanos(80_000);
        metrics.bytesIn(0).add(10);
        metrics.bytesOut(0).add(10);
        Object source = new Object();
        metrics.clients(source, x -> 1, x -> 1, x -> 0);
        metrics.backend("127.0.0.1:6380", source, x -> 1, x -> 0, x -> 0, x -> 0, x -> 0, x -> 0.001, x -> 1);
        metrics.failovers(source, x -> 0, x -> 0, x -> 0, x -> 0);
        metrics.failoverWritePauses().recordNanos(5_000_000);
        metrics.waitingForMaster(source, x -> 0);
        metrics.tracking(source, x -> 0, x -> 0);
        metrics.slowLog(source, x -> 0);
        metrics.nettyMemory(() -> 0.0, () -> 0.0);
        metrics.cluster(source, x -> 3, x -> 16384, x -> 1, x -> 0, x -> 0, x -> 0);
        metrics.clusterShards(java.util.Map.of("127.0.0.1:6380", "127.0.0.1:6380"));
        return metrics;
    }
}
