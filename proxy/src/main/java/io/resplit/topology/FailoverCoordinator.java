package io.resplit.topology;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Every change of the proxy's topology goes through here, one at a time (this object's lock): a planned
 * failover that clients do not see ({@link PlannedFailover}: writes held, the target caught up and promoted,
 * the held writes released to it), the operator's MASTER SET and REPLICA ADD / DRAIN / REMOVE, and following an
 * outside authority ({@link TopologyEdits}). In Sentinel mode the sentinels decide the topology, and the
 * operator's edits are refused. Listeners hear of every change of master ({@link #onMasterChanged}). A
 * failover runs on the caller's (admin) thread, never on an event loop.
 */
public final class FailoverCoordinator {
    /** What happened, for the admin reply and the log. */
    public record Outcome(boolean done, String message, long writePauseMicros) {
    }

    /** Creates (and starts watching) a node for an address, and stops watching and retires a node. */
    public interface NodeLifecycle {
        BackendNode create(HostPort address);

        void retire(BackendNode node);
    }

    private final NodeCalls calls;
    private final MasterChanges masterChanges = new MasterChanges();
    private final PlannedFailover failover;
    private final TopologyEdits edits;
    private volatile String authority; // who decides the topology when not the operator ("the sentinels")
    private volatile Supplier<String> authorityStatus = () -> "";

    public FailoverCoordinator(TopologyHolder topology, WriteGate gate, BackendCredentials credentials,
                               int ioTimeoutMs) {
        this.calls = new NodeCalls(credentials, ioTimeoutMs);
        this.failover = new PlannedFailover(topology, gate, calls, ioTimeoutMs, masterChanges);
        this.edits = new TopologyEdits(topology, masterChanges);
    }

    /** FAILOVER TO target [TIMEOUT ms] [FORCE]. */
    public synchronized Outcome failover(HostPort target, long timeoutMs, boolean force) {
        return failover.run(target, timeoutMs, force, authority == null);
    }

    /** Failovers completed, aborted or failed, and the last completed one's write pause (for metrics). */
    public long completed() {
        return failover.completed();
    }

    public long aborted() {
        return failover.aborted();
    }

    public long lastPauseMicros() {
        return failover.lastPauseMicros();
    }

    /** Told the write pause (microseconds) of every completed failover, for the pause histogram. */
    public void onPause(LongConsumer pauses) {
        failover.onPause(pauses);
    }

    /** Raised when each failover of this proxy's ends: a decision taken before then is stale. */
    public long generation() {
        return failover.generation();
    }

    /** Whether this proxy's own failover is under way (watchers leave the topology alone meanwhile). */
    public boolean inProgress() {
        return failover.inProgress();
    }

    /** How FAILOVER promotes its target (direct by default; through the sentinels in Sentinel mode). */
    public void promotion(Promotion promotion) {
        failover.promotion(promotion);
    }

    /** The control-command client with the proxy's backend credentials. */
    public NodeCalls calls() {
        return calls;
    }

    /** Adds a listener told after every change of master, on a pool thread (to refresh the command table, ...). */
    public void onMasterChanged(Consumer<MasterChange> listener) {
        masterChanges.add(listener);
    }

    public void nodeLifecycle(NodeLifecycle lifecycle) {
        edits.nodeLifecycle(lifecycle);
    }

    /**
     * The topology is decided by {@code authority} (Sentinel mode): MASTER SET and REPLICA are refused, since
     * the authority would undo them; {@code status} gives lines for the admin STATUS.
     */
    public void managedBy(String authority, Supplier<String> status) {
        this.authority = authority;
        this.authorityStatus = status;
    }

    /** STATUS lines of whoever decides the topology, or "". */
    public String authorityStatus() {
        return authorityStatus.get();
    }

    /** REPLICA ADD host port: a new replica (it must already replicate the master) starts serving reads. */
    public synchronized Outcome addReplica(HostPort address) {
        return addReplica(address, 1);
    }

    /** REPLICA ADD host port weight: as {@link #addReplica(HostPort)}, with a share of reads. */
    public synchronized Outcome addReplica(HostPort address, int weight) {
        Outcome refused = refusedWhenManaged();
        return refused != null ? refused : edits.addReplica(address, weight);
    }

    /**
     * REPLICA DRAIN host port: the replica gets no new reads; reads in flight complete and the node stays
     * watched, so REPLICA ADD can bring it back. REPLICA REMOVE also stops watching it and closes its
     * connections once their replies are in.
     */
    public synchronized Outcome removeReplica(HostPort address, boolean retire) {
        Outcome refused = refusedWhenManaged();
        return refused != null ? refused : edits.removeReplica(address, retire);
    }

    /** MASTER SET host port: operators promoted a node themselves; the proxy follows. */
    public synchronized Outcome masterSet(HostPort address) {
        Outcome refused = refusedWhenManaged();
        return refused != null ? refused : edits.masterSet(address);
    }

    private Outcome refusedWhenManaged() {
        return authority == null ? null : new Outcome(false, authority + " decide the master and replicas in this "
                + "mode; use FAILOVER (it goes through them)", 0);
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
    public synchronized boolean follow(HostPort master, List<HostPort> replicas, Predicate<HostPort> confirm,
                                       long seenGeneration) {
        if (failover.inProgress() || seenGeneration != failover.generation()) {
            return false; // decided before a failover of this proxy's ended: the next look decides afresh
        }
        return edits.follow(master, replicas, confirm, authority);
    }

    /** Whether two addresses name one node (loopback addresses count as one host). */
    public static boolean sameNode(HostPort a, HostPort b) {
        return NodeAddresses.sameNode(a, b);
    }
}
