package io.resplit.cluster;

import io.resplit.backend.BackendNode;
import io.resplit.topology.Topology;
import java.util.List;

/**
 * The cluster as requests see it, one immutable snapshot: for every hash slot the shard serving it, each shard a
 * {@link Topology} (its master and the replicas that may serve its reads) so that the one-master read target and
 * read-your-writes rules apply per shard unchanged. Replaced whole when the slot map changes.
 */
public final class ClusterView {
    private final Topology[] bySlot;
    private final List<Topology> shards;
    private final SlotMap map;
    private final List<Topology> shardsBySlot;
    private final List<Topology> scanOrder;
    private final java.util.BitSet migrating; // slots whose master is moving keys away (MIGRATING)
    private final Object owners; // the same object while every slot keeps its shard (migrating marks aside)

    ClusterView(SlotMap map, List<Topology> shards, Topology[] bySlot) {
        this(map, shards, bySlot, new java.util.BitSet(), new Object());
    }

    ClusterView(SlotMap map, List<Topology> shards, Topology[] bySlot, java.util.BitSet migrating, Object owners) {
        this.owners = owners;
        this.migrating = (java.util.BitSet) migrating.clone();
        this.map = map;
        this.shards = List.copyOf(shards);
        this.bySlot = bySlot;
        java.util.LinkedHashSet<Topology> order = new java.util.LinkedHashSet<>();
        for (Topology t : bySlot) {
            if (t != null) {
                order.add(t);
            }
        }
        this.shardsBySlot = List.copyOf(order);
        List<Topology> stable = new java.util.ArrayList<>(order);
        stable.sort(java.util.Comparator.comparing(ClusterView::lowestMember));
        this.scanOrder = List.copyOf(stable);
    }

    /** Each node's shard name ({@link #shardName}), by node address. */
    public java.util.Map<String, String> shardNames() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (Topology t : shardsBySlot) {
            String name = shardName(t);
            out.put(t.master().address().toString(), name);
            t.replicas().forEach(r -> out.put(r.address().toString(), name));
        }
        return out;
    }

    /** A shard's name that survives failovers (its nodes swap roles) and resharding: its lowest node address. */
    public static String shardName(Topology shard) {
        return lowestMember(shard);
    }

    private static String lowestMember(Topology shard) {
        String lowest = shard.master().address().toString();
        for (BackendNode r : shard.replicas()) {
            String a = r.address().toString();
            if (a.compareTo(lowest) < 0) {
                lowest = a;
            }
        }
        return lowest;
    }

    /**
     * The shards that serve slots, in an order that a failover or moved slots do not change (by their lowest
     * node address): SCAN's cursor names a shard by its place here.
     */
    public List<Topology> scanOrder() {
        return scanOrder;
    }

    /** The masters of the shards that serve slots. */
    public List<BackendNode> masters() {
        List<BackendNode> out = new java.util.ArrayList<>(shardsBySlot.size());
        shardsBySlot.forEach(t -> out.add(t.master()));
        return out;
    }

    /** The shards in the order of the lowest slot each serves (a stable order for SCAN's cursor). */
    public List<Topology> shardsBySlot() {
        return shardsBySlot;
    }

    /** The shard serving {@code slot}, or null when no master claims it (the cluster is down for it). */
    public Topology shard(int slot) {
        return bySlot[slot];
    }

    /** Every shard, in the order the cluster listed them. */
    public List<Topology> shards() {
        return shards;
    }

    /** The shard whose master is {@code node}, or null. */
    public Topology shardOf(BackendNode master) {
        for (Topology t : shards) {
            if (t.master() == master) {
                return t;
            }
        }
        return null;
    }

    /**
     * This view with {@code slot} served by {@code shard}: what a MOVED reply says before the next map is read
     * (Redis Cluster clients update their slot cache the same way).
     */
    ClusterView withSlot(int slot, Topology shard) {
        Topology[] next = bySlot.clone();
        next[slot] = shard;
        List<Topology> all = new java.util.ArrayList<>(shards);
        if (!all.contains(shard)) {
            all.add(shard);
        }
        return new ClusterView(map, all, next, migrating, new Object());
    }

    /**
     * Whether {@code slot} is being migrated away from its master: its keys are on two nodes, and the source's
     * replicas answer nil for the keys already moved (they never redirect), so its reads go to the master, which
     * answers ASK for those.
     */
    public boolean migrating(int slot) {
        return migrating.get(slot);
    }

    /** This view with {@code slot} marked as migrating (a node's ASK says so before the next map read). */
    ClusterView withMigrating(int slot) {
        java.util.BitSet next = (java.util.BitSet) migrating.clone();
        next.set(slot);
        return new ClusterView(map, shards, bySlot, next, owners);
    }

    /**
     * A token that stays the same object as long as every slot keeps its shard: views that differ only in
     * migrating marks share it (read-your-writes fences and the client's ordering rule follow it).
     */
    public Object owners() {
        return owners;
    }

    /** The migrating slots (for comparing views). */
    java.util.BitSet migratingSlots() {
        return (java.util.BitSet) migrating.clone();
    }

    /** Slots some master serves (16,384 when the cluster is whole). */
    public int slotsServed() {
        int n = 0;
        for (Topology t : bySlot) {
            if (t != null) {
                n++;
            }
        }
        return n;
    }

    /** The slot ranges {@code shard} serves, as "0-5460,10923-16383"; empty when none. */
    public String slotRanges(Topology shard) {
        StringBuilder b = new StringBuilder();
        for (int slot = 0; slot < bySlot.length; slot++) {
            if (bySlot[slot] == shard) {
                int end = slot;
                while (end + 1 < bySlot.length && bySlot[end + 1] == shard) {
                    end++;
                }
                b.append(b.length() == 0 ? "" : ",").append(slot);
                if (end > slot) {
                    b.append('-').append(end);
                }
                slot = end;
            }
        }
        return b.toString();
    }

    /** The shard {@code node} belongs to, as master or replica, or null. */
    public Topology shardWith(BackendNode node) {
        for (Topology t : shards) {
            if (t.master() == node || t.replicas().contains(node)) {
                return t;
            }
        }
        return null;
    }

    /** Whether {@code node} is the master of a shard in this snapshot. */
    public boolean isMaster(BackendNode node) {
        return shardOf(node) != null;
    }

    /** The slot map this view was built from (addresses and slot ranges, for the admin console). */
    public SlotMap slotMap() {
        return map;
    }
}
