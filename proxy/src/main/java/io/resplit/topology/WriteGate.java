package io.resplit.topology;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Holds new master traffic while a failover moves the master: closed, it tells callers to wait and remembers
 * how to wake them (on their own event loop); opened, it wakes them all, so held requests go to whichever node
 * is master by then. Reads bound for replicas do not pass through it. Thread-safe; the open check is one
 * volatile read on the hot path.
 *
 * <p>A request passes the check and is handed to its backend connection (which counts it in flight) within one
 * event-loop task. {@link #closeAndDrain} therefore closes the gate and then runs an empty task on every event
 * loop: once each has run, every request that saw the gate open is counted in flight, and a failover that waits
 * for the master's in-flight count to reach zero cannot miss it. The hot path pays nothing for this.
 */
public final class WriteGate {
    private volatile boolean open = true;
    private final List<Runnable> waiters = new ArrayList<>();
    private final EventExecutorGroup loops;

    /** @param loops the event loops that send master traffic (null: none to drain, for tests of the gate alone) */
    public WriteGate(EventExecutorGroup loops) {
        this.loops = loops;
    }

    /**
     * True when master traffic may go now. Otherwise {@code resume} will run on {@code loop} once the gate
     * opens; a caller registers once and holds its requests until then. A caller that gets true must hand the
     * request to its connection before its event-loop task ends.
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

    /**
     * Closes the gate and waits (up to {@code timeoutMs}) until every event loop has finished the task it was
     * running: requests that passed the gate before it closed are then in their connections' in-flight counts.
     * False when a loop did not get there in time. Never call on an event loop.
     */
    public boolean closeAndDrain(long timeoutMs) {
        close();
        if (loops == null) {
            return true;
        }
        List<CompletableFuture<Void>> turns = new ArrayList<>();
        for (EventExecutor loop : loops) {
            CompletableFuture<Void> turn = new CompletableFuture<>();
            loop.execute(() -> turn.complete(null));
            turns.add(turn);
        }
        try {
            CompletableFuture.allOf(turns.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
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
