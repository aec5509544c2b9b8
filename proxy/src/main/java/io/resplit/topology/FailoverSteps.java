package io.resplit.topology;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-level steps of a planned failover, each a few control commands with its own bounded wait: drain this
 * proxy's requests, fence the old master (CLIENT PAUSE WRITE), wait for the target to catch up, demote the old
 * master, and find out who became master when a promotion reported failure. {@link FailoverCoordinator} puts
 * them in order and owns the topology. Blocking: never on an event loop.
 */
final class FailoverSteps {
    private static final Logger log = LoggerFactory.getLogger(FailoverSteps.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final NodeCalls calls;
    private final int ioTimeoutMs;

    FailoverSteps(NodeCalls calls, int ioTimeoutMs) {
        this.calls = calls;
        this.ioTimeoutMs = ioTimeoutMs;
    }

    /** Waits until the old master has no request of this proxy in flight; returns why not by the deadline. */
    static String waitForInflight(BackendNode master, long deadline) {
        while (master.inflight() > 0 || master.pinnedInflight() > 0) {
            if (System.nanoTime() > deadline) {
                return "requests still in flight on the master at the timeout";
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return null;
    }

    /** Waits until the target's processed offset has reached the master's; returns why not by the deadline. */
    String waitUntilCaughtUp(BackendNode master, BackendNode target, long deadline) {
        while (true) {
            try {
                int callTimeout = (int) Math.max(1, Math.min(ioTimeoutMs,
                        TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                long masterOffset = calls.replicationField(master.address(), "master_repl_offset", callTimeout);
                long targetOffset = calls.replicationField(target.address(), "slave_repl_offset", callTimeout);
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

    /**
     * CLIENT PAUSE WRITE on the old master, for the failover's {@code budgetMs} and a few calls more, so that the
     * pause outlasts the failover should this proxy die halfway (Redis ends the pause by itself then); false
     * when it cannot be paused (down, or refused).
     */
    boolean pauseWrites(BackendNode master, long budgetMs) {
        long pauseMs = budgetMs + 4L * ioTimeoutMs;
        try {
            calls.call(master.address(), "CLIENT", "PAUSE", Long.toString(pauseMs), "WRITE");
            return true;
        } catch (IOException e) {
            log.warn("failover: could not pause writes on {} ({}); writes from other proxies are not fenced",
                    master.address(), e.getMessage());
            return false;
        }
    }

    void unpause(BackendNode master) {
        try {
            calls.call(master.address(), "CLIENT", "UNPAUSE");
        } catch (IOException e) {
            log.warn("failover: could not unpause {} ({}); its pause ends by itself", master.address(), e.getMessage());
        }
    }

    /**
     * Makes the old master replicate the new one, first giving it the replication password it may lack when
     * {@code giveReplicationPassword} (not in Sentinel mode, where the nodes are set up for the sentinels'
     * failovers). Returns whether it now reports itself a replica. A dead old master cannot be told; it is
     * repointed by hand when it returns.
     */
    boolean demote(BackendNode oldMaster, BackendNode master, boolean giveReplicationPassword) {
        BackendCredentials credentials = calls.credentials();
        if (credentials.present() && giveReplicationPassword) {
            try {
                calls.call(oldMaster.address(), "CONFIG", "SET", "masterauth", credentials.password());
                if (credentials.user() != null) {
                    calls.call(oldMaster.address(), "CONFIG", "SET", "masteruser", credentials.user());
                }
            } catch (IOException e) {
                log.warn("failover: could not give {} the replication password ({}); repointing it anyway",
                        oldMaster.address(), e.getMessage());
            }
        }
        try {
            calls.call(oldMaster.address(), "REPLICAOF", master.address().host(),
                    Integer.toString(master.address().port()));
            if (!"master".equals(calls.role(oldMaster.address()))) {
                log.info("failover: {} now replicates {}", oldMaster.address(), master.address());
                return true;
            }
            log.error("failover: {} still reports itself master after REPLICAOF", oldMaster.address());
        } catch (IOException e) {
            log.error("failover: could not repoint the old master {}: {}; it may still take writes from other "
                    + "clients (its write pause ends by itself): repoint it by hand", oldMaster.address(),
                    e.getMessage());
        }
        return false;
    }

    /** After a promotion that reported failure: the node among the candidates that reports itself master, if one. */
    BackendNode whoIsMasterNow(BackendNode target, List<BackendNode> others) {
        List<BackendNode> candidates = new ArrayList<>();
        candidates.add(target);
        candidates.addAll(others);
        for (BackendNode n : candidates) {
            try {
                if ("master".equals(calls.role(n.address()))) {
                    return n;
                }
            } catch (IOException e) {
                // unreachable: not the new master as far as this proxy can tell
            }
        }
        return null;
    }
}
