package io.resplit.cluster;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.backend.ControlClient;
import io.resplit.config.HostPort;
import io.resplit.resp.RespValues;
import io.resplit.topology.Topology;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's knowledge of a Redis Cluster: one {@link BackendNode} per node address, and the current
 * {@link ClusterView}, learned from {@code CLUSTER SHARDS} ({@code CLUSTER SLOTS} on servers older than Redis 7)
 * at start, every {@code refreshIntervalMs}, and soon after any node redirects a request ({@code MOVED}) or says
 * the cluster is down. The map is asked of the known masters first, then of the other nodes, then of the
 * {@code cluster-node} seeds. Refreshes run on the control thread, never on an event loop.
 */
public final class ClusterDirectory {
    private static final Logger log = LoggerFactory.getLogger(ClusterDirectory.class);
    /**
     * A node missing from every map read for this long (and from three at least) is retired: its connections
     * and health checks stop. Time, not a count: maps are also read after every MOVED and CLUSTERDOWN.
     */
    private static final long RETIRE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int RETIRE_AFTER_MISSING = 3;

    /** Creates and retires nodes with their health checks and meters (the process wiring owns those). */
    public interface Nodes {
        BackendNode create(HostPort address);

        void retire(BackendNode node);
    }

    private final List<HostPort> seeds;
    private final BackendCredentials credentials;
    private final int timeoutMs;
    private final Nodes lifecycle;
    private final ScheduledExecutorService control;
    private final Map<HostPort, BackendNode> nodes = new ConcurrentHashMap<>();
    private final Map<HostPort, Integer> missing = new ConcurrentHashMap<>();
    private final Map<HostPort, Long> missingSince = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong patches = new AtomicLong(); // MOVED patches applied to the view
    /** Map reads in a row discarded because a MOVED came in meanwhile; after this many the map is taken. */
    private static final int MAX_STALE_READS = 3;
    private int staleReads; // under the refresh lock
    private final java.util.concurrent.atomic.LongAdder moved = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder asked = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder retried = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.AtomicReference<ClusterView> view =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final List<java.util.function.Consumer<ClusterView>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public ClusterDirectory(List<HostPort> seeds, BackendCredentials credentials, int timeoutMs, Nodes lifecycle,
                            ScheduledExecutorService control) {
        this.seeds = List.copyOf(seeds);
        this.credentials = credentials;
        this.timeoutMs = timeoutMs;
        this.lifecycle = lifecycle;
        this.control = control;
    }

    /** The current snapshot; null until the first map was read. */
    public ClusterView view() {
        return view.get();
    }

    /**
     * A node answered MOVED: {@code slot} is served by the master at {@code target} now. Requests for it go
     * there at once (the view is patched for that slot), and the whole map is read again soon. Called on event
     * loops: no I/O, no lock.
     */
    public void moved(int slot, HostPort target) {
        BackendNode master = node(target);
        while (true) {
            ClusterView v = view.get();
            Topology current = v.shard(slot);
            if (current != null && current.master() == master) {
                break;
            }
            Topology shard = v.shardOf(master);
            if (view.compareAndSet(v, v.withSlot(slot, shard != null ? shard : new Topology(master, List.of())))) {
                patches.incrementAndGet();
                break;
            }
        }
        refreshSoon();
    }

    /** The node at {@code address}, created on first use (a redirection may name a node not yet in the map). */
    public BackendNode node(HostPort address) {
        return nodes.computeIfAbsent(address, lifecycle::create);
    }

    /** Every node known now (masters, replicas, and nodes redirections named). */
    public List<BackendNode> nodes() {
        return new ArrayList<>(nodes.values());
    }

    /** Slot maps read so far, and how many of them differed from the one before (for the admin console). */
    public long refreshes() {
        return refreshes.get();
    }

    public long changes() {
        return changes.get();
    }

    /** A request was sent on where a node's ASK (or MOVED) pointed. */
    public void redirected(boolean ask) {
        (ask ? asked : moved).increment();
    }

    /** A request waits to be sent again (TRYAGAIN, CLUSTERDOWN, no master, a node out of reach). */
    public void retried() {
        retried.increment();
    }

    public long movedCount() {
        return moved.sum();
    }

    public long askCount() {
        return asked.sum();
    }

    public long retryCount() {
        return retried.sum();
    }

    /** {@code listener} gets every new view (on the control thread), from the next change on. */
    public void onChange(java.util.function.Consumer<ClusterView> listener) {
        listeners.add(listener);
    }

    /** Reads the map now, on the calling thread; false when no node answered with one. */
    public synchronized boolean refresh() {
        long patchesBefore = patches.get();
        for (HostPort at : candidates()) {
            SlotMap map = ask(at);
            if (map != null && !map.shards().isEmpty()) {
                if (patches.get() != patchesBefore && view.get() != null && staleReads < MAX_STALE_READS) {
                    // a MOVED came in while this map was read: the map may predate it (a failover that node had
                    // not learned yet) and must not undo it; read again
                    staleReads++;
                    refreshSoon();
                    return true;
                }
                staleReads = 0;
                apply(map, migrating(map));
                return true;
            }
        }
        log.warn("no cluster node answered CLUSTER SHARDS / CLUSTER SLOTS with a slot map (asked {})", candidates());
        return false;
    }

    /** Reads the map again soon, on the control thread; calls while one is queued are merged into it. */
    public void refreshSoon() {
        if (refreshQueued.compareAndSet(false, true)) {
            control.execute(() -> {
                refreshQueued.set(false);
                try {
                    refresh();
                } catch (RuntimeException e) {
                    log.warn("reading the cluster map failed: {}", e.toString(), e);
                }
            });
        }
    }

    /** Reads the map every {@code intervalMs} from now on. */
    public void start(long intervalMs) {
        control.scheduleWithFixedDelay(() -> {
            try {
                refresh();
            } catch (RuntimeException e) { // a failed read must not end the periodic ones
                log.warn("reading the cluster map failed: {}", e.toString(), e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    private List<HostPort> candidates() {
        Set<HostPort> order = new LinkedHashSet<>();
        ClusterView v = view.get();
        if (v != null) {
            v.shards().forEach(t -> order.add(t.master().address()));
        }
        order.addAll(nodes.keySet());
        order.addAll(seeds);
        return new ArrayList<>(order);
    }

    private SlotMap ask(HostPort at) {
        try {
            Object reply = ControlClient.call(at, credentials, timeoutMs, List.<String[]>of(
                    new String[] {"CLUSTER", "SHARDS"})).get(0);
            if (reply instanceof List<?> shards) {
                return SlotMap.fromClusterShards(shards);
            }
            // before Redis 7: CLUSTER SHARDS is an unknown subcommand
            reply = ControlClient.call(at, credentials, timeoutMs, List.<String[]>of(
                    new String[] {"CLUSTER", "SLOTS"})).get(0);
            if (reply instanceof List<?> slots) {
                return SlotMap.fromClusterSlots(slots);
            }
            log.warn("cluster node {} gave no slot map: {}", at, reply instanceof RespValues.Error e ? e.message()
                    : reply);
        } catch (IOException | RuntimeException e) {
            log.debug("cluster node {} did not give its slot map: {}", at, e.toString());
        }
        return null;
    }

    /**
     * The slots some master is migrating away, from each master's own CLUSTER NODES line ({@code [slot->-id]});
     * the slot map does not say. A master that does not answer counts as migrating nothing.
     */
    private java.util.BitSet migrating(SlotMap map) {
        java.util.BitSet out = new java.util.BitSet(HashSlot.SLOTS);
        for (SlotMap.Shard s : map.shards()) {
            try {
                Object reply = ControlClient.call(s.master(), credentials, timeoutMs, List.<String[]>of(
                        new String[] {"CLUSTER", "NODES"})).get(0);
                if (reply instanceof String nodes) {
                    for (String line : nodes.split("\n")) {
                        if (line.contains("myself")) {
                            for (String field : line.trim().split(" ")) {
                                int arrow = field.indexOf("->-");
                                if (field.startsWith("[") && arrow > 1) {
                                    out.set(Integer.parseInt(field.substring(1, arrow)));
                                }
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.debug("cluster node {} did not list its migrating slots: {}", s.master(), e.toString());
            }
        }
        return out;
    }

    /** A node answered ASK for {@code slot}: it is migrating, and its reads go to its master from now on. */
    public void askedFor(int slot) {
        while (true) {
            ClusterView v = view.get();
            if (v.migrating(slot) || view.compareAndSet(v, v.withMigrating(slot))) {
                return;
            }
        }
    }

    private void apply(SlotMap map, java.util.BitSet migratingSlots) {
        refreshes.incrementAndGet();
        Topology[] bySlot = new Topology[HashSlot.SLOTS];
        List<Topology> shards = new ArrayList<>();
        Set<HostPort> listed = new LinkedHashSet<>();
        for (SlotMap.Shard s : map.shards()) {
            List<BackendNode> replicas = new ArrayList<>();
            for (HostPort r : s.replicas()) {
                replicas.add(node(r));
                listed.add(r);
            }
            listed.add(s.master());
            Topology t = new Topology(node(s.master()), replicas);
            shards.add(t);
            for (int[] range : s.ranges()) {
                for (int slot = range[0]; slot <= range[1]; slot++) {
                    bySlot[slot] = t;
                }
            }
        }
        ClusterView before = view.get();
        boolean sameOwners = before != null && sameShards(before, shards, bySlot);
        if (!sameOwners || !before.migratingSlots().equals(migratingSlots)) {
            changes.incrementAndGet();
            ClusterView next = new ClusterView(map, shards, bySlot, migratingSlots,
                    sameOwners ? before.owners() : new Object());
            if (before != null && !view.compareAndSet(before, next)) {
                refreshSoon(); // a MOVED or ASK patched the view meanwhile: it is newer than this map
                return;
            }
            view.compareAndSet(null, next);
            log.info("cluster map: {}", describe(map));
            listeners.forEach(l -> l.accept(next));
        }
        retireMissing(listed);
    }

    /** Whether the new map gives every slot the same master and replicas as {@code v}. */
    private static boolean sameShards(ClusterView v, List<Topology> shards, Topology[] bySlot) {
        if (v.shards().size() != shards.size()) {
            return false;
        }
        for (int slot = 0; slot < bySlot.length; slot++) {
            Topology a = v.shard(slot);
            Topology b = bySlot[slot];
            if (a == null || b == null ? a != b
                    : a.master() != b.master() || !a.replicas().equals(b.replicas())) {
                return false;
            }
        }
        return true;
    }

    private void retireMissing(Set<HostPort> listed) {
        for (HostPort at : new ArrayList<>(nodes.keySet())) {
            if (listed.contains(at)) {
                missing.remove(at);
                missingSince.remove(at);
                continue;
            }
            int times = missing.merge(at, 1, Integer::sum);
            long since = missingSince.computeIfAbsent(at, a -> System.nanoTime());
            if (times >= RETIRE_AFTER_MISSING && System.nanoTime() - since >= RETIRE_AFTER_NANOS) {
                BackendNode gone = nodes.remove(at);
                missing.remove(at);
                missingSince.remove(at);
                if (gone != null) {
                    log.info("cluster node {} left the map: retired", at);
                    lifecycle.retire(gone);
                    gone.closeInUse("cluster node " + at + " left the map", timeoutMs);
                }
            }
        }
    }

    private static String describe(SlotMap map) {
        StringBuilder b = new StringBuilder();
        for (SlotMap.Shard s : map.shards()) {
            b.append(b.length() == 0 ? "" : "; ").append(s.master()).append(" (").append(s.slotCount())
                    .append(" slots) replicas ").append(s.replicas());
        }
        return b.toString();
    }
}
