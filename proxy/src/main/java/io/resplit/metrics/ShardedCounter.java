package io.resplit.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter for the hot path: every recording thread holds a shard of its own ({@link #shard(int)}), adds to it
 * with a plain store (published opaque, no compare-and-swap), and Micrometer reads the sum of the shards through
 * a {@code FunctionCounter} at scrape time. Micrometer's own Prometheus counter is a {@code DoubleAdder}: one
 * compare-and-swap per increment.
 */
final class ShardedCounter {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    private final Shards<ProxyMetrics.Count> shards = new Shards<>(1,
            cell -> n -> CELL.setOpaque(cell, 0, (long) CELL.getOpaque(cell, 0) + n));

    /** The writer of shard {@code index} (an event loop's index), for that one thread's use only. */
    ProxyMetrics.Count shard(int index) {
        return shards.shard(index);
    }

    /** The total over every shard. */
    double sum() {
        long total = 0;
        for (long[] cell : shards.cells()) {
            total += (long) CELL.getOpaque(cell, 0);
        }
        return total;
    }
}
