package io.resplit.topology;

import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import io.resplit.topology.FailoverCoordinator.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One planned failover, run to its end: hold new writes (reads go on), let the writes in flight finish, wait
 * until the target replica has everything the master acknowledged, promote it, point the old master and the
 * other replicas at it, swap the topology, and release the held writes to the new master. Without FORCE, a
 * target that does not catch up within the timeout aborts the failover and the held writes go to the old master
 * as if nothing happened. The node-level steps are {@link FailoverSteps}, the promotion a {@link Promotion};
 * this class puts them in order and keeps the failovers' counts. {@link FailoverCoordinator} runs one at a time,
 * on the caller's (admin) thread, never on an event loop.
 */
final class PlannedFailover {
    // the coordinator's category, as operators know these lines (docs/failover.md)
    private static final Logger log = LoggerFactory.getLogger(FailoverCoordinator.class);
    /** How long a promotion may take beyond the catch-up timeout (a Sentinel needs about a second or two). */
    private static final long PROMOTION_GRACE_MS = 10_000;
    /** How long the preparation may take (a sentinel reads a replica's INFO every 10 s). */
    private static final long PREPARE_MS = 15_000;

    private final TopologyHolder topology;
    private final WriteGate gate;
    private final FailoverSteps steps;
    private final MasterChanges masterChanges;
    private volatile Promotion promotion;
    private volatile boolean inProgress;
    private volatile long generation;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong aborted = new AtomicLong();
    private volatile long lastPauseMicros;
    private volatile LongConsumer pauses = micros -> { }; // each completed failover's pause

    PlannedFailover(TopologyHolder topology, WriteGate gate, NodeCalls calls, int ioTimeoutMs,
                    MasterChanges masterChanges) {
        this.topology = topology;
        this.gate = gate;
        this.steps = new FailoverSteps(calls, ioTimeoutMs);
        this.masterChanges = masterChanges;
        this.promotion = new DirectPromotion(calls);
    }

    void promotion(Promotion promotion) {
        this.promotion = promotion;
    }

    void onPause(LongConsumer pauses) {
        this.pauses = pauses;
    }

    long completed() {
        return completed.get();
    }

    long aborted() {
        return aborted.get();
    }

    long lastPauseMicros() {
        return lastPauseMicros;
    }

    /** Raised when each failover ends: a decision taken before then is stale. */
    long generation() {
        return generation;
    }

    boolean inProgress() {
        return inProgress;
    }

    /**
     * FAILOVER TO target [TIMEOUT ms] [FORCE]. {@code giveReplicationPassword}: the old master is given the
     * proxy's backend credentials as its masterauth before it is demoted (not in Sentinel mode).
     */
    Outcome run(HostPort target, long timeoutMs, boolean force, boolean giveReplicationPassword) {
        Topology before = topology.current();
        BackendNode promoted = NodeAddresses.find(before.replicas(), target);
        if (promoted == null) {
            return new Outcome(false, target + " is not a replica in the proxy's topology", 0);
        }
        BackendNode oldMaster = before.master();
        List<BackendNode> others = new ArrayList<>(before.replicas());
        others.remove(promoted);
        log.info("failover to {} started (old master {}, timeout {} ms{})", target, oldMaster.address(), timeoutMs,
                force ? ", FORCE" : "");
        inProgress = true;
        Promotion promotion = this.promotion;
        boolean paused = false;
        boolean keepFenced = false; // the old master could not be demoted: its pause is left to expire
        long start = System.nanoTime();
        try { // everything after inProgress: whatever is thrown, the gate opens and watchers resume
            try {
                promotion.prepare(promoted, others, start + TimeUnit.MILLISECONDS.toNanos(PREPARE_MS));
            } catch (IOException e) {
                aborted.incrementAndGet();
                log.error("failover to {} not started: {}", target, e.getMessage());
                return new Outcome(false, "failed: " + e.getMessage(), 0);
            }
            start = System.nanoTime(); // the write pause starts here
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            boolean drained = gate.closeAndDrain(Math.max(1, timeoutMs));
            if (!force) {
                String why = drained ? FailoverSteps.waitForInflight(oldMaster, deadline) : "event loops did not answer in time";
                if (why != null) {
                    return abort(target, oldMaster, why, start);
                }
            }
            // the fence for everyone else (other proxies, direct clients): their writes wait on the old master
            // and, once it is a replica, are refused there with READONLY, never applied and lost. FORCE on a
            // dead master: no pause (it would only wait for a connect timeout)
            paused = (!force || oldMaster.isUp()) && steps.pauseWrites(oldMaster, timeoutMs + PROMOTION_GRACE_MS);
            if (!force) {
                String why = steps.waitUntilCaughtUp(oldMaster, promoted, deadline);
                if (why != null) {
                    return abort(target, oldMaster, why, start);
                }
            }
            BackendNode master = promoted;
            try {
                promotion.promote(promoted, others, deadline + TimeUnit.MILLISECONDS.toNanos(PROMOTION_GRACE_MS));
            } catch (IOException e) {
                // the promotion may have taken effect all the same (REPLICAOF answered too late, the sentinels
                // chose another replica): writes must not go back to the old master beside a new one
                master = steps.whoIsMasterNow(promoted, others);
                if (master == null) {
                    throw e; // nothing was promoted: the old master stays, as after an abort
                }
                log.warn("failover to {}: {}; but {} reports itself master: following it", target, e.getMessage(),
                        master.address());
            }
            log.info("failover: {} promoted", master.address());
            if (!steps.demote(oldMaster, master, giveReplicationPassword)) {
                keepFenced = paused; // its pause holds other proxies' writes off it for a while
            } else if (paused) {
                steps.unpause(oldMaster);
            }
            paused = false;
            List<BackendNode> replicas = new ArrayList<>(before.nodes());
            replicas.remove(master);
            topology.swap(Topology.changedTo(master, replicas));
            long pause = micros(start);
            gate.open(); // before the slower steps below: held writes need not wait for them
            List<BackendNode> rest = new ArrayList<>(replicas);
            rest.remove(oldMaster);
            promotion.repointOthers(master, rest);
            completed.incrementAndGet();
            lastPauseMicros = pause;
            pauses.accept(pause);
            masterChanges.changed(oldMaster, master, "failover", pause);
            String note = promotion.confirm(master,
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROMOTION_GRACE_MS));
            if (master != promoted) {
                note = (note + " promoted=" + master.address()).trim();
            }
            if (keepFenced) {
                note = (note + " old_master_not_demoted=" + oldMaster.address()).trim();
            }
            log.info("failover to {} done: writes held {} ms{}", master.address(), pause / 1000,
                    note.isEmpty() ? "" : "; " + note);
            return new Outcome(true, note.isEmpty() ? "OK" : "OK " + note, pause);
        } catch (IOException e) {
            aborted.incrementAndGet();
            log.error("failover to {} failed: {}", target, e.getMessage());
            return new Outcome(false, "failed: " + e.getMessage(), micros(start));
        } finally {
            if (paused) {
                steps.unpause(oldMaster);
            }
            gate.open();
            generation++;
            inProgress = false;
            promotion.finish();
        }
    }

    private Outcome abort(HostPort target, BackendNode oldMaster, String why, long start) {
        aborted.incrementAndGet();
        log.warn("failover to {} aborted: {}; writes go on to {}", target, why, oldMaster.address());
        return new Outcome(false, "aborted: " + why, micros(start));
    }

    private static long micros(long startNanos) {
        return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos);
    }
}
