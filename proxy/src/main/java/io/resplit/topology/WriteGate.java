package io.resplit.topology;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds new master traffic while a failover moves the master: closed, it tells callers to wait and remembers
 * how to wake them (on their own event loop); opened, it wakes them all, so held requests go to whichever node
 * is master by then. Reads bound for replicas do not pass through it. Thread-safe; the open check is one
 * volatile read on the hot path.
 */
public final class WriteGate {
    private volatile boolean open = true;
    private final List<Runnable> waiters = new ArrayList<>();

    /**
     * True when master traffic may go now. Otherwise {@code resume} will run on {@code loop} once the gate
     * opens; a caller registers once and holds its requests until then.
     */
    public boolean passOrWait(EventLoop loop, Runnable resume) {
        if (open) {
            return true;
        }
        synchronized (this) {
            if (open) {
                return true;
            }
            waiters.add(() -> loop.execute(resume));
            return false;
        }
    }

    public boolean isOpen() {
        return open;
    }

    public void close() {
        open = false;
    }

    public void open() {
        List<Runnable> wake;
        synchronized (this) {
            open = true;
            wake = new ArrayList<>(waiters);
            waiters.clear();
        }
        wake.forEach(Runnable::run);
    }

    /** Clients currently waiting for the gate (for STATUS). */
    public synchronized int waiting() {
        return waiters.size();
    }
}
