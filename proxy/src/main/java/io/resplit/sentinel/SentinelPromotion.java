package io.resplit.sentinel;

import io.resplit.backend.BackendNode;
import io.resplit.backend.ControlClient;
import io.resplit.config.HostPort;
import io.resplit.resp.RespValues;
import io.resplit.topology.NodeCalls;
import io.resplit.topology.Promotion;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FAILOVER in Sentinel mode: a promotion the sentinels did not make would be undone by them, so the proxy
 * asks them. The target is made the only candidate (every other replica's {@code replica-priority} set to 0
 * for the duration, then restored; a sentinel that has read the new values is told {@code SENTINEL FAILOVER}),
 * and the promotion counts once the target answers ROLE as master. The sentinels repoint the other replicas themselves.
 */
public final class SentinelPromotion implements Promotion {
    private static final Logger log = LoggerFactory.getLogger(SentinelPromotion.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final SentinelWatcher sentinels;
    private final NodeCalls calls;
    private final int timeoutMs;
    // one failover at a time (the coordinator runs them in turn): what prepare changed, for finish to undo
    private final Map<HostPort, String> priorities = new LinkedHashMap<>();
    private final Map<HostPort, String> wanted = new LinkedHashMap<>();
    private HostPort chosen; // the sentinel that saw the new priorities: it runs the failover

    public SentinelPromotion(SentinelWatcher sentinels, NodeCalls calls, int timeoutMs) {
        this.sentinels = sentinels;
        this.calls = calls;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void prepare(BackendNode target, List<BackendNode> others, long deadlineNanos) throws IOException {
        priorities.clear();
        wanted.clear();
        for (BackendNode n : others) {
            setPriority(n.address(), "0");
        }
        if ("0".equals(priorityOf(target.address()))) {
            setPriority(target.address(), "100"); // priority 0 is never promoted
        }
        // a sentinel chooses from what it last read of each replica's INFO (every 10 s): wait until one has
        // read the new priorities, and ask that one
        chosen = null;
        while (chosen == null) {
            for (HostPort s : sentinels.settings().sentinels()) {
                if (seesPriorities(s, target.address())) {
                    chosen = s;
                    break;
                }
            }
            if (chosen == null) {
                if (System.nanoTime() > deadlineNanos) {
                    throw new IOException("no sentinel saw the replica priorities in time (they read INFO every 10 s)");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    @Override
    public void promote(BackendNode target, List<BackendNode> others, long deadlineNanos) throws IOException {
        askForFailover();
        while (true) {
            try {
                if ("master".equals(calls.role(target.address()))) {
                    return;
                }
            } catch (IOException e) {
                // the sentinel drops the target's connections while it reconfigures it: ask again
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new IOException("the sentinels did not promote " + target.address() + " in time");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    @Override
    public void finish() {
        priorities.forEach((address, value) -> {
            try {
                calls.call(address, "CONFIG", "SET", "replica-priority", value);
            } catch (IOException e) {
                log.error("failover: could not restore replica-priority {} on {}: {}; set it by hand, or the "
                        + "sentinels will never promote that replica", value, address, e.getMessage());
                return;
            }
            try {
                // a sentinel repointing a replica runs CONFIG REWRITE there, which wrote the temporary 0 into its
                // config file: write the restored value too, or a restart would bring the 0 back
                calls.call(address, "CONFIG", "REWRITE");
            } catch (IOException e) {
                // no config file (started with arguments only): nothing was written to undo
            }
        });
        priorities.clear();
        wanted.clear();
    }

    /**
     * Whether sentinel {@code s} lists every replica whose priority was changed with its new priority, and the
     * target with a priority it may choose (not 0: a sentinel may still have an earlier failover's 0 cached).
     */
    private boolean seesPriorities(HostPort s, HostPort target) {
        try {
            Map<HostPort, String> seen = SentinelQuery.replicaPriorities(s, sentinels.settings().sentinelMaster(),
                    sentinels.sentinelAuth(), timeoutMs);
            for (Map.Entry<HostPort, String> r : seen.entrySet()) {
                if (SentinelWatcher.sameNode(r.getKey(), target) && "0".equals(r.getValue())) {
                    return false;
                }
            }
            for (Map.Entry<HostPort, String> e : wanted.entrySet()) {
                String have = null;
                for (Map.Entry<HostPort, String> r : seen.entrySet()) {
                    if (SentinelWatcher.sameNode(r.getKey(), e.getKey())) {
                        have = r.getValue();
                    }
                }
                if (have != null && !have.equals(e.getValue())) {
                    return false; // listed with the old priority (a replica it does not list cannot be chosen)
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void setPriority(HostPort address, String value) {
        try {
            String before = priorityOf(address);
            calls.call(address, "CONFIG", "SET", "replica-priority", value);
            priorities.put(address, before);
            wanted.put(address, value);
        } catch (IOException e) {
            // a replica that cannot be reached cannot be chosen by the sentinels either (it is down for them)
            log.warn("failover: could not set replica-priority on {}: {}", address, e.getMessage());
        }
    }

    private String priorityOf(HostPort address) throws IOException {
        Object reply = calls.call(address, "CONFIG", "GET", "replica-priority");
        if (reply instanceof List<?> l && l.size() == 2) {
            return String.valueOf(l.get(1));
        }
        throw new IOException(address + " answered CONFIG GET replica-priority with " + reply);
    }

    /** SENTINEL FAILOVER on the sentinel that saw the priorities, else the first that accepts it. */
    private void askForFailover() throws IOException {
        String name = sentinels.settings().sentinelMaster();
        StringBuilder refusals = new StringBuilder();
        List<HostPort> order = new java.util.ArrayList<>(sentinels.settings().sentinels());
        order.remove(chosen);
        order.add(0, chosen);
        for (HostPort s : order) {
            try {
                Object reply = ControlClient.call(s, sentinels.sentinelAuth(), timeoutMs,
                        List.<String[]>of(new String[] {"SENTINEL", "FAILOVER", name})).get(0);
                if (!(reply instanceof RespValues.Error e)) {
                    log.info("failover: sentinel {} accepted SENTINEL FAILOVER {}", s, name);
                    return;
                }
                refusals.append(s).append(": ").append(e.message()).append("; ");
            } catch (IOException e) {
                refusals.append(s).append(": ").append(e.getMessage()).append("; ");
            }
        }
        throw new IOException("no sentinel accepted SENTINEL FAILOVER " + name + " (" + refusals + ")");
    }

    @Override
    public void repointOthers(BackendNode target, List<BackendNode> others) {
        // the sentinels reconfigure the other replicas themselves
    }

    @Override
    public String confirm(BackendNode target, long deadlineNanos) {
        int agree = 0;
        int answered = 0;
        while (true) {
            List<SentinelAnswer> answers = sentinels.askNow();
            answered = answers.size();
            agree = 0;
            for (SentinelAnswer a : answers) {
                if (SentinelWatcher.sameNode(a.master(), target.address())) {
                    agree++;
                }
            }
            if ((answered > 0 && agree == answered) || System.nanoTime() > deadlineNanos) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        if (agree < answered || answered == 0) {
            log.warn("failover: {} of {} answering sentinels name {} by the deadline", agree, answered,
                    target.address());
        }
        return "sentinels_agree=" + agree + "/" + answered;
    }
}
