package io.resplit.status;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} samples, oldest first; adding to a full ring drops the oldest. One writer (the
 * sampler) and readers on the HTTP thread: a lock is fine at one write every few seconds.
 */
final class SampleRing<T> {
    private final Object[] slots;
    private int next; // where the next sample goes
    private int size;

    SampleRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        slots = new Object[capacity];
    }

    synchronized void add(T sample) {
        slots[next] = sample;
        next = (next + 1) % slots.length;
        size = Math.min(size + 1, slots.length);
    }

    /** A copy, oldest first. */
    @SuppressWarnings("unchecked")
    synchronized List<T> snapshot() {
        List<T> out = new ArrayList<>(size);
        int start = (next - size + slots.length) % slots.length;
        for (int i = 0; i < size; i++) {
            out.add((T) slots[(start + i) % slots.length]);
        }
        return out;
    }
}
