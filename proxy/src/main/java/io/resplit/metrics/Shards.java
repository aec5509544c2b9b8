package io.resplit.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The per-thread cells of a hot-path meter: one cell (a {@code long[]}) per shard index, that is per event loop,
 * made on first use together with the writer that updates it, and the list of every cell for the scrape to add
 * up. The same index gives the same writer each time, so asking again (after a command-table refresh, say) adds
 * no cell.
 */
final class Shards<W> {
    private final CopyOnWriteArrayList<long[]> cells = new CopyOnWriteArrayList<>();
    private final int cellLength;
    private final Function<long[], W> writerOf;
    private Object[] writers = new Object[0]; // by shard index; guarded by this

    /** @param writerOf makes the writer of a new cell; it is used by one thread only */
    Shards(int cellLength, Function<long[], W> writerOf) {
        this.cellLength = cellLength;
        this.writerOf = writerOf;
    }

    @SuppressWarnings("unchecked")
    synchronized W shard(int index) {
        if (index >= writers.length) {
            writers = java.util.Arrays.copyOf(writers, index + 1);
        }
        if (writers[index] == null) {
            long[] cell = new long[cellLength];
            cells.add(cell);
            writers[index] = writerOf.apply(cell);
        }
        return (W) writers[index];
    }

    /** Every cell made so far (read them with opaque loads). */
    List<long[]> cells() {
        return cells;
    }
}
