package io.resplit.cluster;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import io.resplit.topology.Topology;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * {@code cluster-node} seeds ({@link SlotMapReader}); the nodes it names are kept, and retired once gone, by
 * {@link KnownNodes}. Refreshes run on the control thread, never on an event loop.
 */
public final class ClusterDirectory {
    private static final Logger log = LoggerFactory.getLogger(ClusterDirectory.class);

    /** Creates and retires nodes with their health checks and meters (the process wiring owns those). */
    public interface Nodes {
        BackendNode create(HostPort address);

        void retire(BackendNode node);
    }

    private final List<HostPort> seeds;
    private final SlotMapReader reader;
    private final KnownNodes nodes;
    private final ScheduledExecutorService control;
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
        this.reader = new SlotMapReader(credentials, timeoutMs);
        this.nodes = new KnownNodes(lifecycle, timeoutMs);
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
        return nodes.node(address);
    }

    /** Every node known now (masters, replicas, and nodes redirections named). */
    public List<BackendNode> nodes() {
        return nodes.all();
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
            SlotMap map = reader.read(at);
            if (map != null && !map.shards().isEmpty()) {
                if (patches.get() != patchesBefore && view.get() != null && staleReads < MAX_STALE_READS) {
                    // a MOVED came in while this map was read: the map may predate it (a failover that node had
                    // not learned yet) and must not undo it; read again
                    staleReads++;
                    refreshSoon();
                    return true;
                }
                staleReads = 0;
                apply(map, reader.migrating(map));
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
        order.addAll(nodes.addresses());
        order.addAll(seeds);
        return new ArrayList<>(order);
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
        nodes.retireMissing(listed);
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

    private static String describe(SlotMap map) {
        StringBuilder b = new StringBuilder();
        for (SlotMap.Shard s : map.shards()) {
            b.append(b.length() == 0 ? "" : "; ").append(s.master()).append(" (").append(s.slotCount())
                    .append(" slots) replicas ").append(s.replicas());
        }
        return b.toString();
    }
}
