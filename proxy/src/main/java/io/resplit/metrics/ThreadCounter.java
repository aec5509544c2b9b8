package io.resplit.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A counter for the hot path: each thread adds into a cell of its own with a plain store (published opaque),
 * and Micrometer reads the sum through a {@code FunctionCounter} at scrape time. Micrometer's Prometheus
 * counter is a {@code DoubleAdder}, one compare-and-swap per increment; this is one uncontended store.
 */
final class ThreadCounter implements ProxyMetrics.Count {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    private final CopyOnWriteArrayList<long[]> cells = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<long[]> local = new FastThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            long[] cell = new long[1];
            cells.add(cell);
            return cell;
        }
    };

    @Override
    public void add(long n) {
        long[] cell = local.get();
        CELL.setOpaque(cell, 0, (long) CELL.getOpaque(cell, 0) + n); // only this thread writes its cell
    }

    /** The total over every thread. */
    double sum() {
        long total = 0;
        for (long[] cell : cells) {
            total += (long) CELL.getOpaque(cell, 0);
        }
        return total;
    }
}
