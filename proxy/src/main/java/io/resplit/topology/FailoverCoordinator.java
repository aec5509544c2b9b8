package io.resplit.topology;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned failover that clients do not see: hold new writes (reads go on), let the writes in flight finish,
 * wait until the target replica has everything the master acknowledged, promote it, point the old master and
 * the other replicas at it, swap the topology, and release the held writes to the new master. Without FORCE,
 * a target that does not catch up within the timeout aborts the failover and the held writes go to the old
 * master as if nothing happened. One failover at a time; runs on the caller's (admin) thread, never on an
 * event loop.
 */
public final class FailoverCoordinator {
    private static final Logger log = LoggerFactory.getLogger(FailoverCoordinator.class);

    /** What happened, for the admin reply and the log. */
    public record Outcome(boolean done, String message, long writePauseMicros) {
    }

    private final TopologyHolder topology;
    private final WriteGate gate;
    /** How long a promotion may take beyond the catch-up timeout (a Sentinel needs about a second or two). */
    private static final long PROMOTION_GRACE_MS = 10_000;
    /** How long the preparation may take (a sentinel reads a replica's INFO every 10 s). */
    private static final long PREPARE_MS = 15_000;

    private final NodeCalls calls;
    private final FailoverSteps steps;
    private volatile Promotion promotion;
    private volatile boolean inProgress;
    private volatile long generation;
    private final java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong aborted = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastPauseMicros;
    private volatile java.util.function.LongConsumer pauses = micros -> { }; // each completed failover's pause

    /** Failovers completed, aborted or failed, and the last completed one's write pause (for metrics). */
    public long completed() {
        return completed.get();
    }

    public long aborted() {
        return aborted.get();
    }

    public long lastPauseMicros() {
        return lastPauseMicros;
    }

    /** Told the write pause (microseconds) of every completed failover, for the pause histogram. */
    public void onPause(java.util.function.LongConsumer pauses) {
        this.pauses = pauses;
    }

    public FailoverCoordinator(TopologyHolder topology, WriteGate gate, BackendCredentials credentials,
                               int ioTimeoutMs) {
        this.topology = topology;
        this.gate = gate;
        this.calls = new NodeCalls(credentials, ioTimeoutMs);
        this.steps = new FailoverSteps(calls, ioTimeoutMs);
        this.promotion = new DirectPromotion(calls);
    }

    /** FAILOVER TO target [TIMEOUT ms] [FORCE]. */
    public synchronized Outcome failover(HostPort target, long timeoutMs, boolean force) {
        Topology before = topology.current();
        BackendNode promoted = find(before.replicas(), target);
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
            if (!steps.demote(oldMaster, master, authority == null)) {
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
            notifyMasterChanged(oldMaster, master, "failover", pause);
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

    /** Raised when each failover of this proxy's ends: a decision taken before then is stale. */
    public long generation() {
        return generation;
    }

    /** Whether this proxy's own failover is under way (watchers leave the topology alone meanwhile). */
    public boolean inProgress() {
        return inProgress;
    }

    /** Creates (and starts watching) a node for an address, and stops watching and retires a node. */
    public interface NodeLifecycle {
        BackendNode create(HostPort address);

        void retire(BackendNode node);
    }

    private NodeLifecycle nodes;
    private final List<java.util.function.Consumer<MasterChange>> masterChanged =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Off the caller's thread: masterSet also runs on an event loop (role changes), which must not block. */
    private void notifyMasterChanged(BackendNode from, BackendNode to, String how, long pauseMicros) {
        MasterChange change = new MasterChange(System.currentTimeMillis(), from.address(), to.address(), how,
                pauseMicros);
        for (java.util.function.Consumer<MasterChange> listener : masterChanged) {
            java.util.concurrent.CompletableFuture.runAsync(() -> listener.accept(change));
        }
    }

    /** Adds a listener told after every change of master, on a pool thread (to refresh the command table, ...). */
    public void onMasterChanged(java.util.function.Consumer<MasterChange> listener) {
        masterChanged.add(listener);
    }

    public void nodeLifecycle(NodeLifecycle lifecycle) {
        this.nodes = lifecycle;
    }

    /** REPLICA ADD host port: a new replica (it must already replicate the master) starts serving reads. */
    public synchronized Outcome addReplica(HostPort address) {
        return addReplica(address, 1);
    }

    /** REPLICA ADD host port weight: as {@link #addReplica(HostPort)}, with a share of reads. */
    public synchronized Outcome addReplica(HostPort address, int weight) {
        if (refusedWhenManaged() != null) {
            return refusedWhenManaged();
        }
        Topology t = topology.current();
        if (find(t.nodes(), address) != null) {
            return new Outcome(false, address + " is already in the topology", 0);
        }
        List<BackendNode> replicas = new ArrayList<>(t.replicas());
        BackendNode drained = find(drainedNodes, address);
        if (drained != null) {
            drainedNodes.remove(drained); // back from a drain: same node, same connections
        }
        BackendNode added = drained != null ? drained : nodes.create(address);
        added.weight(weight);
        replicas.add(added);
        topology.swap(new Topology(t.master(), replicas, t.sinceSample()));
        log.info("replica {} added", address);
        return new Outcome(true, "OK", 0);
    }

    /**
     * REPLICA DRAIN host port: the replica gets no new reads; reads in flight complete and the node stays
     * watched, so REPLICA ADD can bring it back. REPLICA REMOVE also stops watching it and closes its
     * connections once their replies are in.
     */
    public synchronized Outcome removeReplica(HostPort address, boolean retire) {
        if (refusedWhenManaged() != null) {
            return refusedWhenManaged();
        }
        Topology t = topology.current();
        BackendNode node = find(t.replicas(), address);
        if (node == null) {
            BackendNode drained = find(drainedNodes, address);
            if (retire && drained != null) {
                drainedNodes.remove(drained);
                nodes.retire(drained);
                log.info("replica {} removed", address);
                return new Outcome(true, "OK", 0);
            }
            return new Outcome(false, address + " is not a replica in the topology", 0);
        }
        List<BackendNode> replicas = new ArrayList<>(t.replicas());
        replicas.remove(node);
        topology.swap(new Topology(t.master(), replicas, t.sinceSample()));
        if (retire) {
            nodes.retire(node);
            log.info("replica {} removed", address);
        } else {
            drainedNodes.add(node);
            log.info("replica {} drained: no new reads", address);
        }
        return new Outcome(true, "OK", 0);
    }

    private final List<BackendNode> drainedNodes = new ArrayList<>();

    private volatile String authority; // who decides the topology when not the operator ("the sentinels")
    private volatile java.util.function.Supplier<String> authorityStatus = () -> "";

    /**
     * The topology is decided by {@code authority} (Sentinel mode): MASTER SET and REPLICA are refused, since
     * the authority would undo them; {@code status} gives lines for the admin STATUS.
     */
    public void managedBy(String authority, java.util.function.Supplier<String> status) {
        this.authority = authority;
        this.authorityStatus = status;
    }

    /** STATUS lines of whoever decides the topology, or "". */
    public String authorityStatus() {
        return authorityStatus.get();
    }

    private Outcome refusedWhenManaged() {
        return authority == null ? null : new Outcome(false, authority + " decide the master and replicas in this "
                + "mode; use FAILOVER (it goes through them)", 0);
    }

    /** How FAILOVER promotes its target (direct by default; through the sentinels in Sentinel mode). */
    public void promotion(Promotion promotion) {
        this.promotion = promotion;
    }

    /** The control-command client with the proxy's backend credentials. */
    public NodeCalls calls() {
        return calls;
    }

    /**
     * Makes the topology {@code master} plus {@code replicas}, as an outside authority (the sentinels, the
     * master's replica list) says it is: nodes already known keep their connections, new ones are created,
     * and nodes named by neither are retired. {@code master} null keeps the current one. A change of master
     * takes effect at once for new requests, and only if {@code confirm} (a ROLE check, asked while no
     * failover of this proxy's can run) still agrees. Ignored while this proxy runs a failover of its own.
     * {@code seenGeneration}: {@link #generation()} when the caller began to decide. Returns whether anything
     * changed.
     */
    public synchronized boolean follow(HostPort master, List<HostPort> replicas,
                                       java.util.function.Predicate<HostPort> confirm, long seenGeneration) {
        if (inProgress || seenGeneration != generation) {
            return false; // decided before a failover of this proxy's ended: the next look decides afresh
        }
        Topology before = topology.current();
        BackendNode known = master == null ? before.master() : find(before.nodes(), master);
        if (known != before.master() && !confirm.test(master)) {
            return false;
        }
        BackendNode nextMaster = known != null ? known : nodes.create(master);
        List<BackendNode> nextReplicas = new ArrayList<>();
        for (HostPort r : replicas) {
            if (find(List.of(nextMaster), r) != null || find(nextReplicas, r) != null) {
                continue;
            }
            BackendNode n = find(before.nodes(), r);
            nextReplicas.add(n != null ? n : nodes.create(r));
        }
        boolean masterChanged = nextMaster != before.master();
        if (masterChanged && find(nextReplicas, before.master().address()) == null) {
            // the old master stays watched as a replica until the authority stops naming it
            nextReplicas.add(before.master());
        }
        if (!masterChanged && nextReplicas.equals(before.replicas())) {
            return false;
        }
        List<BackendNode> gone = new ArrayList<>(before.nodes());
        gone.remove(nextMaster);
        gone.removeAll(nextReplicas);
        topology.swap(masterChanged ? Topology.changedTo(nextMaster, nextReplicas)
                : new Topology(nextMaster, nextReplicas, before.sinceSample()));
        for (BackendNode n : gone) {
            log.info("node {} left the topology", n.address());
            nodes.retire(n);
        }
        for (BackendNode n : nextReplicas) {
            if (find(before.nodes(), n.address()) == null) {
                log.info("replica {} joined the topology", n.address());
            }
        }
        if (masterChanged) {
            log.warn("master is now {} (was {})", nextMaster.address(), before.master().address());
            notifyMasterChanged(before.master(), nextMaster, "followed " + (authority == null ? "a role change"
                    : authority), 0);
        }
        return true;
    }

    /** MASTER SET host port: operators promoted a node themselves; the proxy follows. */
    public synchronized Outcome masterSet(HostPort address) {
        if (refusedWhenManaged() != null) {
            return refusedWhenManaged();
        }
        Topology before = topology.current();
        BackendNode next = find(before.nodes(), address);
        if (next == null) {
            return new Outcome(false, address + " is not in the proxy's topology (add it as a replica first)", 0);
        }
        List<BackendNode> replicas = new ArrayList<>(before.nodes());
        replicas.remove(next);
        topology.swap(Topology.changedTo(next, replicas));
        log.info("master set to {}", address);
        notifyMasterChanged(before.master(), next, "master set", 0);
        return new Outcome(true, "OK", 0);
    }

    private static BackendNode find(List<BackendNode> nodes, HostPort address) {
        for (BackendNode n : nodes) {
            if (sameNode(n.address(), address)) {
                return n;
            }
        }
        return null;
    }

    /** Whether two addresses name one node (loopback addresses count as one host). */
    public static boolean sameNode(HostPort a, HostPort b) {
        return a.equals(b) || (a.port() == b.port() && sameHost(a.host(), b.host()));
    }

    private static boolean sameHost(String a, String b) {
        return a.equalsIgnoreCase(b) || (isLoopback(a) && isLoopback(b));
    }

    private static boolean isLoopback(String h) {
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    private static long micros(long startNanos) {
        return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos);
    }
}
