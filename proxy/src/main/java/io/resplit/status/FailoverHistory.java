package io.resplit.status;

import io.resplit.topology.MasterChange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * The last changes of master, newest first, as the failover coordinator reports them: a {@code FAILOVER} with
 * its write pause, a {@code MASTER SET}, or a change the proxy followed. Bounded, so a flapping master cannot
 * grow it.
 */
final class FailoverHistory {
    private final int capacity;
    private final Deque<MasterChange> changes = new ArrayDeque<>();

    FailoverHistory(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(MasterChange change) {
        changes.addFirst(change);
        while (changes.size() > capacity) {
            changes.removeLast();
        }
    }

    /** Newest first. Listeners run on pool threads, so two changes close together may arrive out of order. */
    synchronized List<MasterChange> newestFirst() {
        List<MasterChange> out = new ArrayList<>(changes);
        out.sort(Comparator.comparingLong(MasterChange::atMillis).reversed());
        return out;
    }
}
