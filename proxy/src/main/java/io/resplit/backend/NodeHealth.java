package io.resplit.backend;

import io.resplit.config.HostPort;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's health as the proxy last saw it ({@link NodeState}), how a fresh sample is had (the health checks'
 * shared numbering, a check asked for now), and the backoff that follows a failure: a failed connection takes
 * the node out of service at once and keeps new connections away for a pause that doubles with each failure in a
 * row (100 ms up to 5 s); a health check answered after the pause brings it back. Safe on any thread:
 * connections on every loop report failures, the node's monitor reports samples, anything reads.
 */
final class NodeHealth {
    // under the node's name: operators know these lines as BackendNode's (docs/failover.md quotes one)
    private static final Logger log = LoggerFactory.getLogger(BackendNode.class);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long CHECK_REQUEST_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final HostPort address;
    private final AtomicLong sampleSeq; // shared by every node of the proxy: see lastSentSampleSeq
    private final AtomicInteger failures = new AtomicInteger(); // in a row: a ready connection resets them
    private final AtomicLong downEvents = new AtomicLong();
    private final CompletableFuture<NodeState> firstCheck = new CompletableFuture<>();
    private volatile NodeState state = NodeState.initial();
    private volatile long retryAfterNanos;
    private volatile Runnable checkNow; // set by the node's monitor: runs a health check now
    private final AtomicLong checkRequestedAt = new AtomicLong(); // nanoTime of the last asked-for check, 0: none

    NodeHealth(HostPort address, AtomicLong sampleSeq) {
        this.address = address;
        this.sampleSeq = sampleSeq;
    }

    NodeState state() {
        return state;
    }

    /** Completes with the outcome of the first health check (or the first failure). */
    CompletableFuture<NodeState> firstCheck() {
        return firstCheck;
    }

    /** Times the node was taken out of service. */
    long downEvents() {
        return downEvents.get();
    }

    /** Whether the pause after the last failure is still running. */
    boolean backoffRunning() {
        return System.nanoTime() < retryAfterNanos;
    }

    /** A connection became ready: the next failure starts the backoff from its shortest pause again. */
    void connected() {
        failures.set(0);
    }

    /** The next health-check sequence number; taken by the monitor before it sends the check. */
    long nextSampleSeq() {
        return sampleSeq.incrementAndGet();
    }

    /** See {@link BackendNode#lastSentSampleSeq()}. */
    long lastSentSampleSeq() {
        return sampleSeq.get();
    }

    /** The node's monitor: how to run a health check now. */
    void checkNowBy(Runnable check) {
        checkNow = check;
    }

    /** See {@link BackendNode#requestCheck()}. */
    void requestCheck() {
        Runnable check = checkNow;
        long now = System.nanoTime();
        long last = checkRequestedAt.get();
        // every read of a shard whose map and sample disagree asks; a map that stays stale (or a node that really
        // is a replica) would otherwise have checks run back to back instead of every health-check interval
        if (check != null && (last == 0 || now - last >= CHECK_REQUEST_GAP_NANOS)
                && checkRequestedAt.compareAndSet(last, now)) {
            check.run();
        }
    }

    /** Takes the node out of service now; a health check after the backoff brings it back. */
    void markDown(String reason) {
        int n = failures.incrementAndGet();
        if (state.up()) {
            downEvents.incrementAndGet();
        }
        long backoff = Math.min(MAX_BACKOFF_NANOS, MIN_BACKOFF_NANOS << Math.min(n - 1, 10));
        retryAfterNanos = System.nanoTime() + backoff;
        NodeState before = state;
        state = before.down(reason);
        if (before.up()) {
            log.warn("backend {} is down: {}", address, reason);
        }
        firstCheck.complete(state);
    }

    /**
     * A health check answered: publishes the sample, and brings the node back if {@code mayComeBack} (no backoff
     * running, not retired).
     */
    void sampled(long seq, InfoReplication info, long latencyMicros, boolean mayComeBack) {
        NodeState before = state;
        boolean up = before.up() || mayComeBack;
        state = new NodeState(up, info, seq, up ? null : before.reason(), latencyMicros);
        if (up && !before.up()) {
            log.info("backend {} is up (role {}, offset {})", address, info.role(), info.offset());
        } else if (up && before.info() != null && !info.isMaster() && !before.info().isMaster()
                && before.servesReads() != state.servesReads()) {
            // a replica whose link to its master broke, or that began a full sync, gets no reads meanwhile
            if (state.servesReads()) {
                log.info("replica {} serves reads again (linked to its master, in sync)", address);
            } else {
                log.warn("replica {} serves no reads: {}", address,
                        info.syncing() ? "full sync from its master in progress" : "its link to the master is down");
            }
        }
        firstCheck.complete(state);
    }
}
