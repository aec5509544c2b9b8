package io.resplit.sentinel;

import io.resplit.backend.BackendCredentials;
import io.resplit.config.HighAvailability;
import io.resplit.config.HostPort;
import io.resplit.topology.FailoverCoordinator;
import io.resplit.topology.NodeCalls;
import io.resplit.topology.TopologyHolder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the proxy's master and replicas where the sentinels say they are. Every {@code sentinel-poll-interval}
 * it asks every sentinel (in parallel; one that is down or slow is skipped), and a message on any sentinel's
 * event channels ({@link SentinelSubscriber}) triggers a poll at once, so a missed message costs at most one
 * interval. The newest config epoch wins ({@link SentinelView}); before writes move to a new master, the node
 * itself must answer ROLE as master, and the move happens through the {@link FailoverCoordinator}, never while
 * this proxy runs a failover of its own.
 */
public final class SentinelWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SentinelWatcher.class);
    /** How soon to look again when the sentinels name a master that does not answer ROLE as master yet. */
    private static final long RECHECK_MS = 50;
    /**
     * A replica the sentinels stop listing stays this long: during a failover a sentinel's list briefly lacks
     * the old master, and dropping a node closes its connections.
     */
    private static final long REPLICA_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final HighAvailability ha;
    private final BackendCredentials sentinelAuth;
    private final int timeoutMs;
    private final SentinelView view = new SentinelView();
    private final ScheduledExecutorService poller;
    private final ExecutorService queries;
    private final AtomicBoolean pollQueued = new AtomicBoolean();
    private final AtomicBoolean recheckQueued = new AtomicBoolean();
    private final List<SentinelSubscriber> subscribers = new ArrayList<>();
    private volatile FailoverCoordinator coordinator;
    private volatile TopologyHolder topology;
    private volatile SentinelView.Decision last;
    private volatile String lastProblem = "";
    private final java.util.Map<HostPort, Long> lastListed = new java.util.LinkedHashMap<>(); // poller thread only

    public SentinelWatcher(HighAvailability ha, int timeoutMs) {
        this.ha = ha;
        this.sentinelAuth = new BackendCredentials(ha.sentinelUser(), ha.sentinelPassword());
        this.timeoutMs = timeoutMs;
        this.poller = Executors.newSingleThreadScheduledExecutor(daemon("resplit-sentinel-poll"));
        this.queries = Executors.newCachedThreadPool(daemon("resplit-sentinel-query"));
    }

    /**
     * At start: asks the sentinels until one answers or {@code waitMs} passes, and returns the master and
     * replicas they name.
     */
    public SentinelView.Decision discover(long waitMs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (true) {
            SentinelView.Decision d = view.update(askAll());
            if (d != null) {
                last = d;
                return d;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no sentinel answered for master '" + ha.sentinelMaster() + "' (" + lastProblem
                        + ")");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** Starts polling and listening; {@code coordinator} applies what the sentinels say to {@code topology}. */
    public void start(FailoverCoordinator coordinator, TopologyHolder topology) {
        this.coordinator = coordinator;
        this.topology = topology;
        poller.scheduleWithFixedDelay(this::pollQuietly, ha.sentinelPollMs(), ha.sentinelPollMs(),
                TimeUnit.MILLISECONDS);
        for (HostPort s : ha.sentinels()) {
            SentinelSubscriber sub = new SentinelSubscriber(s, ha.sentinelMaster(), sentinelAuth, timeoutMs,
                    this::pollSoon);
            subscribers.add(sub);
            sub.start();
        }
    }

    /** Polls as soon as possible (a sentinel published an event); several requests make one poll. */
    public void pollSoon(String why) {
        log.info("sentinel event: {}", why);
        if (pollQueued.compareAndSet(false, true)) {
            poller.execute(() -> {
                pollQueued.set(false);
                pollQuietly();
            });
        }
    }

    private void pollQuietly() {
        try {
            pollOnce();
        } catch (RuntimeException e) {
            log.error("sentinel poll failed: {}", e.toString(), e);
        }
    }

    /** One round: ask, decide, verify, apply. */
    void pollOnce() {
        long generation = coordinator.generation();
        SentinelView.Decision d = view.update(askAll());
        if (d == null) {
            return;
        }
        last = d;
        HostPort current = topology.current().master().address();
        List<HostPort> replicas;
        if (d.replicas() == null) {
            // no sentinel at the accepted epoch answered: the replicas stay as they are (none ages out)
            replicas = topology.current().replicas().stream().map(n -> n.address()).toList();
        } else {
            lastListed.put(current, System.nanoTime()); // once replaced, the old master stays a while as a replica
            replicas = listed(d.replicas());
        }
        boolean moved = coordinator.follow(d.master(), replicas, this::reportsMaster, generation);
        if (moved && !sameNode(current, topology.current().master().address())) {
            log.warn("sentinels moved the master to {} (config epoch {}); writes go there now", d.master(), d.epoch());
        }
        if (!sameNode(d.master(), topology.current().master().address()) && !coordinator.inProgress()
                && recheckQueued.compareAndSet(false, true)) {
            // named, but not yet a master by its own account (or unreachable): look again soon, once
            poller.schedule(() -> {
                recheckQueued.set(false);
                pollQuietly();
            }, RECHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** The replicas the sentinels listed now or within the grace period, in the order first seen. */
    private List<HostPort> listed(List<HostPort> now) {
        long t = System.nanoTime();
        if (now != null) {
            now.forEach(r -> lastListed.put(r, t));
        }
        lastListed.values().removeIf(seen -> t - seen > REPLICA_GRACE_NANOS);
        return new ArrayList<>(lastListed.keySet());
    }

    /** ROLE on {@code address} says master; asked before writes go there. */
    private boolean reportsMaster(HostPort address) {
        NodeCalls calls = coordinator.calls();
        try {
            String role = calls.role(address);
            if (!"master".equals(role)) {
                problem("sentinels name " + address + " master, but it reports role " + role + "; waiting");
                return false;
            }
            return true;
        } catch (IOException e) {
            problem("sentinels name " + address + " master, but ROLE failed: " + e.getMessage() + "; waiting");
            return false;
        }
    }

    private List<SentinelAnswer> askAll() {
        List<Future<SentinelAnswer>> pending = new ArrayList<>();
        for (HostPort s : ha.sentinels()) {
            pending.add(queries.submit(() -> SentinelQuery.ask(s, ha.sentinelMaster(), sentinelAuth, timeoutMs)));
        }
        List<SentinelAnswer> answers = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Future<SentinelAnswer> f : pending) {
            try {
                answers.add(f.get(timeoutMs + 500L, TimeUnit.MILLISECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                problems.add(String.valueOf(e.getCause().getMessage()));
            } catch (java.util.concurrent.TimeoutException e) {
                f.cancel(true);
                problems.add("a sentinel did not answer within " + timeoutMs + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        problem(problems.isEmpty() ? "" : String.join("; ", problems));
        return answers;
    }

    /** Logs a problem once, when it first appears or changes. */
    private void problem(String text) {
        if (!text.equals(lastProblem)) {
            lastProblem = text;
            if (!text.isEmpty()) {
                log.warn("sentinel mode: {}", text);
            }
        }
    }

    /** Sentinel lines for the admin STATUS. */
    public String status() {
        SentinelView.Decision d = last;
        StringBuilder s = new StringBuilder();
        s.append("sentinel_master_name:").append(ha.sentinelMaster()).append("\r\n");
        s.append("sentinels:").append(ha.sentinels().size()).append("\r\n");
        s.append("sentinels_answering:").append(d == null ? 0 : d.answered()).append("\r\n");
        s.append("sentinel_master:").append(d == null ? "" : d.master()).append("\r\n");
        s.append("sentinel_config_epoch:").append(d == null ? -1 : d.epoch()).append("\r\n");
        s.append("sentinel_master_down:").append(d != null && d.masterDown() ? 1 : 0).append("\r\n");
        return s.toString();
    }

    /** The sentinel settings this watcher follows. */
    public HighAvailability settings() {
        return ha;
    }

    /** The sentinels' credentials (for SENTINEL FAILOVER). */
    BackendCredentials sentinelAuth() {
        return sentinelAuth;
    }

    /** One round of answers now, for callers that wait for the sentinels to agree. */
    List<SentinelAnswer> askNow() {
        return askAll();
    }

    @Override
    public void close() {
        subscribers.forEach(SentinelSubscriber::close);
        poller.shutdownNow();
        queries.shutdownNow();
    }

    static boolean sameNode(HostPort a, HostPort b) {
        return FailoverCoordinator.sameNode(a, b);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
