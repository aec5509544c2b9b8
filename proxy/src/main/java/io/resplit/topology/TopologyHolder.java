package io.resplit.topology;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The current {@link Topology}, read without locks on the hot path and replaced whole. In the proxy it holds no
 * topology of its own: it is a view over the one reference the runtime state is published through (the
 * {@code server} package's {@code RuntimeSnapshot}, which carries the topology with the configuration), so
 * that the failover code reads and swaps the topology there without knowing what else that snapshot holds.
 */
public final class TopologyHolder {
    private final Supplier<Topology> current;
    private final Consumer<Topology> swap;

    private TopologyHolder(Supplier<Topology> current, Consumer<Topology> swap) {
        this.current = current;
        this.swap = swap;
    }

    /**
     * A view over the topology inside the snapshots {@code ref} publishes. A swap replaces the topology of the
     * latest snapshot by compare-and-set ({@link AtomicReference#updateAndGet}), so a swap and any other change
     * of the snapshot racing it on another thread are both kept.
     *
     * @param topology     the topology of a snapshot
     * @param withTopology a snapshot like the one given, with another topology
     */
    public static <S> TopologyHolder over(AtomicReference<S> ref, Function<S, Topology> topology,
                                          BiFunction<S, Topology, S> withTopology) {
        return new TopologyHolder(() -> topology.apply(ref.get()),
                next -> ref.updateAndGet(s -> withTopology.apply(s, next)));
    }

    /** A holder of its own, published with nothing else: for code driven without a proxy (tests). */
    public static TopologyHolder standalone(Topology initial) {
        AtomicReference<Topology> ref = new AtomicReference<>(initial);
        return over(ref, t -> t, (t, next) -> next);
    }

    public Topology current() {
        return current.get();
    }

    public void swap(Topology next) {
        swap.accept(next);
    }
}
