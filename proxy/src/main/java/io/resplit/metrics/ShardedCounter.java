package io.resplit.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A counter for the hot path: every recording thread holds a shard of its own ({@link #newShard()}), adds to it
 * with a plain store (published opaque, no compare-and-swap), and Micrometer reads the sum of the shards through
 * a {@code FunctionCounter} at scrape time. Micrometer's own Prometheus counter is a {@code DoubleAdder}: one
 * compare-and-swap per increment.
 */
final class ShardedCounter {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    private final CopyOnWriteArrayList<long[]> cells = new CopyOnWriteArrayList<>();

    /** A writer for one thread's use only. */
    ProxyMetrics.Count newShard() {
        long[] cell = new long[1];
        cells.add(cell);
        return n -> CELL.setOpaque(cell, 0, (long) CELL.getOpaque(cell, 0) + n);
    }

    /** The total over every shard. */
    double sum() {
        long total = 0;
        for (long[] cell : cells) {
            total += (long) CELL.getOpaque(cell, 0);
        }
        return total;
    }
}
