package io.resplit.slowlog;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The slow-command log. The hot path reads one volatile field ({@link #thresholdNanos()}) per reply; only a
 * request slower than that builds an entry and takes the lock, so the lock is never contended by fast traffic.
 */
public final class SlowLog {
    /** Threshold meaning "log nothing" ({@code slowlog-log-slower-than} negative, or a length of 0). */
    public static final long OFF = Long.MAX_VALUE;

    private final ArrayDeque<SlowLogEntry> entries = new ArrayDeque<>(); // newest first
    private volatile long thresholdNanos;
    private int maxLen;
    private long nextId;

    public SlowLog(long slowerThanMicros, int maxLen) {
        configure(slowerThanMicros, maxLen);
    }

    /**
     * Applies {@code slowlog-log-slower-than} (microseconds; negative: off, 0: every request) and
     * {@code slowlog-max-len}; a shorter length drops the oldest entries at once, as in Redis.
     */
    public synchronized void configure(long slowerThanMicros, int maxLen) {
        this.maxLen = maxLen;
        this.thresholdNanos = slowerThanMicros < 0 || maxLen == 0 ? OFF : slowerThanMicros * 1000;
        trim();
    }

    /** Requests that took at least this long are logged; {@link #OFF} when the log is off. */
    public long thresholdNanos() {
        return thresholdNanos;
    }

    public boolean enabled() {
        return thresholdNanos != OFF;
    }

    /**
     * Adds an entry built by {@code entry} from the id it is given; call only when a duration passed the
     * threshold.
     */
    public synchronized SlowLogEntry add(java.util.function.LongFunction<SlowLogEntry> entry) {
        SlowLogEntry e = entry.apply(nextId++);
        entries.addFirst(e);
        trim();
        return e;
    }

    /** The newest {@code count} entries, newest first; a negative count means all of them. */
    public synchronized List<SlowLogEntry> latest(int count) {
        int n = count < 0 ? entries.size() : Math.min(count, entries.size());
        List<SlowLogEntry> out = new ArrayList<>(n);
        Iterator<SlowLogEntry> it = entries.iterator();
        while (out.size() < n) {
            out.add(it.next());
        }
        return out;
    }

    /**
     * Entries added since start, including those trimmed or reset since (the next entry's id, as in Redis):
     * the count behind {@code resplit_slowlog_entries_total}.
     */
    public synchronized long added() {
        return nextId;
    }

    public synchronized int length() {
        return entries.size();
    }

    public synchronized void reset() {
        entries.clear();
    }

    private void trim() {
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }
}
