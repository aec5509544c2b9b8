package io.resplit.tracking;

import io.netty.channel.EventLoop;
import io.resplit.backend.BackendNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client-side caching for every client of the proxy: one {@link InvalidationFeed} per node, and per node a
 * table of which tracking clients read which keys there. A key's entry is taken out whole when the node reports
 * a change to it ({@link ConcurrentHashMap#remove} and {@link ConcurrentHashMap#compute} are atomic per key), so
 * a read registered at the same moment either is told of this change or waits for the next: never lost.
 *
 * <p>Which nodes there are, and which are masters, it asks its {@link Nodes}: the master and its replicas, or
 * in cluster mode every shard's.
 *
 * <p>Feeds start when the first client turns tracking on and stop a while after the last has turned it off,
 * so a proxy without tracking clients costs its nodes nothing. The tables hold at most
 * {@code tracking-table-max-keys} keys over all nodes; beyond that keys are dropped, and their clients told so,
 * as Redis does.
 */
public final class InvalidationHub {
    private static final long IDLE_STOP_MS = 30_000;
    private static final long SWEEP_MS = 1_000;
    /** A PING on every feed this often: an idle feed must not be closed by the node's {@code timeout}. */
    private static final int KEEPALIVE_SWEEPS = 15;

    /** The nodes whose changes are reported, and which of them are masters, now. Thread-safe. */
    public interface Nodes {
        /** Every master: the one master, or one per shard. */
        List<BackendNode> masters();

        /** Every node, masters first. */
        List<BackendNode> all();

        /** Whether {@code node} is a master now. */
        boolean isMaster(BackendNode node);

        /** Whether {@code node} is a master or a replica now (its feed and table are kept). */
        boolean contains(BackendNode node);
    }

    private final Nodes nodes;
    private final EventLoop loop;
    private final long maxKeys;
    private final Map<BackendNode, InvalidationFeed> feeds = new ConcurrentHashMap<>();
    private final Map<BackendNode, ConcurrentHashMap<TrackedKey, Set<Tracker>>> tables = new ConcurrentHashMap<>();
    private final Set<Tracker> trackers = ConcurrentHashMap.newKeySet();
    private final Set<Tracker> broadcasters = ConcurrentHashMap.newKeySet();
    private final AtomicLong keys = new AtomicLong();
    private volatile long idleSinceMillis;
    private boolean sweeping; // on the loop only
    private int sweeps;       // on the loop only

    /** @param maxKeys {@code tracking-table-max-keys}: 0 for no limit */
    public InvalidationHub(Nodes nodes, EventLoop loop, long maxKeys) {
        this.nodes = nodes;
        this.loop = loop;
        this.maxKeys = maxKeys;
    }

    /**
     * A client turned tracking on: every node's feed is started; the future completes once every master's
     * reports changes (reads sent after that are covered), or fails with a master's refusal.
     */
    public CompletableFuture<Void> enable(Tracker t) {
        trackers.add(t);
        if (t.broadcasting()) {
            broadcasters.add(t);
        }
        loop.execute(this::startSweeping);
        for (BackendNode node : nodes.all()) {
            feed(node);
        }
        List<BackendNode> masters = nodes.masters();
        CompletableFuture<?>[] live = new CompletableFuture<?>[masters.size()];
        for (int i = 0; i < live.length; i++) {
            live[i] = feed(masters.get(i)).firstLive();
        }
        return CompletableFuture.allOf(live);
    }

    /** A client turned tracking off or left; its registrations are dropped as their keys change or age out. */
    public void disable(Tracker t) {
        trackers.remove(t);
        broadcasters.remove(t);
        if (trackers.isEmpty()) {
            idleSinceMillis = System.currentTimeMillis();
        }
    }

    /** Whether {@code node} reports its changes now; tracked reads go only to such nodes. Starts its feed. */
    public boolean covers(BackendNode node) {
        return feed(node).live();
    }

    /** Tracking clients now. */
    public int trackers() {
        return trackers.size();
    }

    /** Keys held over all nodes' tables. */
    public long keys() {
        return keys.get();
    }

    private InvalidationFeed feed(BackendNode node) {
        InvalidationFeed f = feeds.get(node);
        if (f != null && !f.stopped()) {
            return f;
        }
        return feeds.compute(node, (n, old) -> {
            if (old != null && !old.stopped()) {
                return old;
            }
            InvalidationFeed started = new InvalidationFeed(n, loop, this);
            started.start();
            return started;
        });
    }

    /** {@code t} is about to read {@code key} from {@code node}: it hears of the key's next change there. */
    public void read(BackendNode node, Tracker t, byte[] key) {
        TrackedKey k = new TrackedKey(key);
        boolean[] added = new boolean[1];
        ConcurrentHashMap<TrackedKey, Set<Tracker>> table;
        do { // the sweep may drop a node's table meanwhile: then register in the one that replaced it
            table = tables.computeIfAbsent(node, n -> new ConcurrentHashMap<>());
            table.compute(k, (x, set) -> {
                if (set == null) {
                    set = new HashSet<>(2); // only touched under this key's lock, or by whoever removed the entry
                    added[0] = true;
                }
                set.add(t);
                return set;
            });
        } while (tables.get(node) != table);
        if (added[0] && keys.incrementAndGet() > maxKeys && maxKeys > 0) {
            evict();
        }
    }

    /** NOLOOP: {@code t} writes {@code key}; as on Redis its own change ends its interest without a message. */
    public void wrote(Tracker t, byte[] key) {
        TrackedKey k = new TrackedKey(key);
        for (ConcurrentHashMap<TrackedKey, Set<Tracker>> table : tables.values()) {
            table.computeIfPresent(k, (kk, set) -> {
                set.remove(t);
                if (set.isEmpty()) {
                    keys.decrementAndGet();
                    return null;
                }
                return set;
            });
        }
    }

    /** Runs {@code after} once {@code node} has reported every change it made before now. */
    public void afterChangesReported(BackendNode node, Runnable after) {
        feed(node).barrier(after);
    }

    /** Whether {@code node} is a master now (in cluster mode, of its shard). */
    public boolean isMaster(BackendNode node) {
        return nodes.isMaster(node);
    }

    /** From {@code node}'s feed: these keys changed there. */
    void changed(BackendNode node, List<byte[]> changed) {
        ConcurrentHashMap<TrackedKey, Set<Tracker>> table = tables.get(node);
        if (table != null) {
            Map<Tracker, List<byte[]>> byTracker = new HashMap<>();
            for (byte[] key : changed) {
                Set<Tracker> set = table.remove(new TrackedKey(key));
                if (set != null) {
                    keys.decrementAndGet();
                    for (Tracker t : set) {
                        if (t.active()) {
                            byTracker.computeIfAbsent(t, x -> new ArrayList<>(1)).add(key);
                        }
                    }
                }
            }
            byTracker.forEach((t, ks) -> t.invalidate(node, ks));
        }
        if (!broadcasters.isEmpty()) {
            boolean master = nodes.isMaster(node);
            for (Tracker t : broadcasters) {
                // a master's changes reach every broadcast client; a replica's, those that read from it
                // (it applies a change later than the master: a read it served before must still be dropped)
                if (master || t.readFrom(node)) {
                    t.broadcast(node, changed);
                }
            }
        }
    }

    /** From {@code node}'s feed: FLUSHALL or FLUSHDB. */
    void flushed(BackendNode node) {
        boolean master = nodes.isMaster(node);
        for (Tracker t : trackers) {
            if (master || t.readFrom(node)) {
                t.flush();
            }
        }
    }

    /** A feed was lost: changes on its node go unreported until it is back, so every client drops its cache. */
    void feedLost(BackendNode node) {
        trackers.forEach(Tracker::flush);
    }

    /**
     * A node's first feed runs. Reads registered there before it did (the master after a failover, whose
     * feed starts with its first tracked read) may have missed changes: their clients drop their caches.
     */
    void feedStarted(BackendNode node) {
        ConcurrentHashMap<TrackedKey, Set<Tracker>> table = tables.get(node);
        if (table != null && !table.isEmpty()) {
            trackers.forEach(Tracker::flush);
        }
    }

    /** A lost feed is back: changes made while it was down were not reported; caches are dropped again. */
    void feedRestarted(BackendNode node) {
        trackers.forEach(Tracker::flush);
    }

    /** Over the key limit: drop keys (the map's order is arbitrary enough) and tell their clients. */
    private void evict() {
        for (Map.Entry<BackendNode, ConcurrentHashMap<TrackedKey, Set<Tracker>>> e : tables.entrySet()) {
            for (TrackedKey k : e.getValue().keySet()) {
                if (keys.get() <= maxKeys) {
                    return;
                }
                Set<Tracker> set = e.getValue().remove(k);
                if (set != null) {
                    keys.decrementAndGet();
                    for (Tracker t : set) {
                        if (t.active()) {
                            t.invalidate(e.getKey(), List.of(k.bytes));
                        }
                    }
                }
            }
        }
    }

    private void startSweeping() {
        if (!sweeping) {
            sweeping = true;
            loop.schedule(this::sweep, SWEEP_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Every second while feeds run: nodes that left the topology (or the cluster) lose their feed and table; a
     * minute's worth of no tracking client at all stops every feed.
     */
    private void sweep() {
        boolean idle = trackers.isEmpty() && System.currentTimeMillis() - idleSinceMillis > IDLE_STOP_MS;
        for (BackendNode node : new ArrayList<>(feeds.keySet())) {
            if (idle || !nodes.contains(node)) {
                InvalidationFeed f = feeds.remove(node);
                if (f != null) {
                    f.stop();
                }
                ConcurrentHashMap<TrackedKey, Set<Tracker>> table = tables.remove(node);
                if (table != null) {
                    keys.addAndGet(-table.size());
                }
            }
        }
        if (feeds.isEmpty()) {
            sweeping = false;
            return;
        }
        if (++sweeps % KEEPALIVE_SWEEPS == 0) {
            feeds.values().forEach(f -> f.barrier(() -> { }));
        }
        loop.schedule(this::sweep, SWEEP_MS, TimeUnit.MILLISECONDS);
    }
}
