package io.resplit.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A counter for the hot path: every recording thread holds a shard of its own ({@link #shard(int)}), adds to it
 * with a plain store (published opaque, no compare-and-swap), and Micrometer reads the sum of the shards through
 * a {@code FunctionCounter} at scrape time. Micrometer's own Prometheus counter is a {@code DoubleAdder}: one
 * compare-and-swap per increment.
 */
final class ShardedCounter {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    private final CopyOnWriteArrayList<long[]> cells = new CopyOnWriteArrayList<>();
    private ProxyMetrics.Count[] writers = new ProxyMetrics.Count[0]; // by shard index; guarded by this

    /**
     * The writer of shard {@code index} (an event loop's index), for that one thread's use only; the same writer
     * each time, so asking again (after a command-table refresh, say) adds no cell.
     */
    synchronized ProxyMetrics.Count shard(int index) {
        if (index >= writers.length) {
            writers = java.util.Arrays.copyOf(writers, index + 1);
        }
        if (writers[index] == null) {
            long[] cell = new long[1];
            cells.add(cell);
            writers[index] = n -> CELL.setOpaque(cell, 0, (long) CELL.getOpaque(cell, 0) + n);
        }
        return writers[index];
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
