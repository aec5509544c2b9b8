package io.resplit.topology;

/** The current {@link Topology}; replaced whole, read without locks on the hot path. */
public final class TopologyHolder {
    private volatile Topology current;

    public TopologyHolder(Topology initial) {
        this.current = initial;
    }

    public Topology current() {
        return current;
    }

    public void swap(Topology next) {
        this.current = next;
    }
}
