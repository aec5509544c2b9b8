package io.resplit.topology;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.backend.ControlClient;
import io.resplit.config.HostPort;
import io.resplit.resp.RespValues;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** What happened, for the admin reply and the log. */
    public record Outcome(boolean done, String message, long writePauseMicros) {
    }

    private final TopologyHolder topology;
    private final WriteGate gate;
    private final BackendCredentials credentials;
    private final int ioTimeoutMs;
    private volatile boolean inProgress;
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
        this.credentials = credentials;
        this.ioTimeoutMs = ioTimeoutMs;
    }

    /** FAILOVER TO target [TIMEOUT ms] [FORCE]. */
    public synchronized Outcome failover(HostPort target, long timeoutMs, boolean force) {
        Topology before = topology.current();
        BackendNode promoted = find(before.replicas(), target);
        if (promoted == null) {
            return new Outcome(false, target + " is not a replica in the proxy's topology", 0);
        }
        BackendNode oldMaster = before.master();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        log.info("failover to {} started (old master {}, timeout {} ms{})", target, oldMaster.address(), timeoutMs,
                force ? ", FORCE" : "");
        inProgress = true;
        gate.close();
        try {
            if (!force) {
                String why = waitUntilCaughtUp(oldMaster, promoted, deadline);
                if (why != null) {
                    aborted.incrementAndGet();
                    log.warn("failover to {} aborted: {}; writes go on to {}", target, why, oldMaster.address());
                    return new Outcome(false, "aborted: " + why, micros(start));
                }
            }
            call(promoted.address(), new String[] {"REPLICAOF", "NO", "ONE"});
            log.info("failover: {} promoted", target);
            List<BackendNode> replicas = new ArrayList<>();
            for (BackendNode n : before.nodes()) {
                if (n != promoted) {
                    repoint(n, promoted, n == oldMaster);
                    replicas.add(n);
                }
            }
            topology.swap(Topology.changedTo(promoted, replicas));
            long pause = micros(start);
            gate.open(); // before the table refresh below: held writes need not wait for it
            completed.incrementAndGet();
            lastPauseMicros = pause;
            pauses.accept(pause);
            notifyMasterChanged(promoted.address());
            log.info("failover to {} done: writes held {} ms", target, pause / 1000);
            return new Outcome(true, "OK", pause);
        } catch (IOException e) {
            aborted.incrementAndGet();
            log.error("failover to {} failed: {}", target, e.getMessage());
            return new Outcome(false, "failed: " + e.getMessage(), micros(start));
        } finally {
            gate.open();
            inProgress = false;
        }
    }

    /** Whether a failover is under way (the role watcher leaves the topology alone meanwhile). */
    public boolean inProgress() {
        return inProgress;
    }

    /** Creates (and starts watching) a node for an address, and stops watching and retires a node. */
    public interface NodeLifecycle {
        BackendNode create(HostPort address);

        void retire(BackendNode node);
    }

    private NodeLifecycle nodes;
    private java.util.function.Consumer<HostPort> masterChanged = m -> { };

    /** Off the caller's thread: masterSet also runs on an event loop (role changes), which must not block. */
    private void notifyMasterChanged(HostPort master) {
        java.util.concurrent.CompletableFuture.runAsync(() -> masterChanged.accept(master));
    }

    /** Told after every change of master, on a pool thread, e.g. to refresh the command table. */
    public void onMasterChanged(java.util.function.Consumer<HostPort> listener) {
        this.masterChanged = listener;
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

    /** MASTER SET host port: operators promoted a node themselves; the proxy follows. */
    public synchronized Outcome masterSet(HostPort address) {
        Topology before = topology.current();
        BackendNode next = find(before.nodes(), address);
        if (next == null) {
            return new Outcome(false, address + " is not in the proxy's topology (add it as a replica first)", 0);
        }
        List<BackendNode> replicas = new ArrayList<>(before.nodes());
        replicas.remove(next);
        topology.swap(Topology.changedTo(next, replicas));
        log.info("master set to {}", address);
        notifyMasterChanged(address);
        return new Outcome(true, "OK", 0);
    }

    /**
     * Waits until the old master has no request in flight and the target's processed offset has reached the
     * master's; returns why not by the deadline, or null.
     */
    private String waitUntilCaughtUp(BackendNode master, BackendNode target, long deadline) {
        while (master.inflight() > 0 || master.pinnedInflight() > 0) {
            if (System.nanoTime() > deadline) {
                return "requests still in flight on the master at the timeout";
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        while (true) {
            try {
                int callTimeout = (int) Math.max(1, Math.min(ioTimeoutMs,
                        TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                long masterOffset = offset(master.address(), "master_repl_offset", callTimeout);
                long targetOffset = offset(target.address(), "slave_repl_offset", callTimeout);
                if (targetOffset >= masterOffset && masterOffset >= 0) {
                    return null;
                }
                if (System.nanoTime() > deadline) {
                    return "target offset " + targetOffset + " behind the master's " + masterOffset
                            + " at the timeout";
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    return "no answer about replication offsets by the timeout (" + e.getMessage() + ")";
                }
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Makes {@code node} replicate {@code master}; an old master first learns the replication password. */
    private void repoint(BackendNode node, BackendNode master, boolean wasMaster) {
        try {
            if (wasMaster && credentials.present()) {
                // the old master was configured as a master: it may not know the password to replicate with
                call(node.address(), new String[] {"CONFIG", "SET", "masterauth", credentials.password()});
                if (credentials.user() != null) {
                    call(node.address(), new String[] {"CONFIG", "SET", "masteruser", credentials.user()});
                }
            }
            call(node.address(), new String[] {"REPLICAOF", master.address().host(),
                    Integer.toString(master.address().port())});
            log.info("failover: {} now replicates {}", node.address(), master.address());
        } catch (IOException e) {
            // a dead old master cannot be told; it must be repointed by hand when it returns
            log.warn("failover: could not repoint {}: {}", node.address(), e.getMessage());
        }
    }

    private long offset(HostPort address, String field, int timeoutMs) throws IOException {
        Object info = ControlClient.call(address, credentials, timeoutMs,
                List.<String[]>of(new String[] {"INFO", "replication"})).get(0);
        for (String line : String.valueOf(info).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim());
            }
        }
        return -1;
    }

    private void call(HostPort address, String[] command) throws IOException {
        Object reply = ControlClient.call(address, credentials, ioTimeoutMs, List.<String[]>of(command)).get(0);
        if (reply instanceof RespValues.Error e) {
            // only the error code: Redis echoes a refused command's arguments, which may hold a password
            String code = e.message().split(" ", 2)[0];
            throw new IOException(address + " refused " + command[0] + " " + (command.length > 1 ? command[1] : "")
                    + ": " + code);
        }
    }

    private static BackendNode find(List<BackendNode> nodes, HostPort address) {
        for (BackendNode n : nodes) {
            if (n.address().equals(address) || (n.address().port() == address.port()
                    && sameHost(n.address().host(), address.host()))) {
                return n;
            }
        }
        return null;
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
