package io.resplit.cluster;

import io.resplit.config.HostPort;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which shard serves each of the 16,384 hash slots, as one immutable snapshot: built from a node's answer to
 * {@code CLUSTER SHARDS} (Redis 7) or {@code CLUSTER SLOTS} (older servers), replaced whole when the cluster
 * changes. Slots no shard claims map to null.
 */
public final class SlotMap {
    /** One master and its replicas, and the slot ranges the master serves. */
    public record Shard(HostPort master, List<HostPort> replicas, List<int[]> ranges) {
        public Shard {
            replicas = List.copyOf(replicas);
            ranges = List.copyOf(ranges);
        }

        /** Slots this shard serves. */
        public int slotCount() {
            int n = 0;
            for (int[] r : ranges) {
                n += r[1] - r[0] + 1;
            }
            return n;
        }
    }

    private final Shard[] bySlot;
    private final List<Shard> shards;

    private SlotMap(Shard[] bySlot, List<Shard> shards) {
        this.bySlot = bySlot;
        this.shards = Collections.unmodifiableList(shards);
    }

    /** The shard serving {@code slot}, or null when no shard claims it. */
    public Shard shardOf(int slot) {
        return bySlot[slot];
    }

    /** The shard serving {@code key}'s slot, or null. */
    public Shard shardOf(byte[] key) {
        return bySlot[HashSlot.of(key)];
    }

    public List<Shard> shards() {
        return shards;
    }

    /** Whether every slot is served (a cluster in state ok). */
    public boolean complete() {
        for (Shard s : bySlot) {
            if (s == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * From {@code CLUSTER SLOTS} as {@code RespValues} decodes it: one entry per slot range, {@code [start, end,
     * master, replica...]}, each node {@code [ip, port, id, ...]}. A range's nodes are merged into one shard per
     * master.
     */
    public static SlotMap fromClusterSlots(List<?> reply) {
        Map<HostPort, List<int[]>> ranges = new LinkedHashMap<>();
        Map<HostPort, List<HostPort>> replicas = new LinkedHashMap<>();
        for (Object o : reply) {
            List<?> range = (List<?>) o;
            int start = ((Long) range.get(0)).intValue();
            int end = ((Long) range.get(1)).intValue();
            HostPort master = node((List<?>) range.get(2));
            ranges.computeIfAbsent(master, m -> new ArrayList<>()).add(new int[] {start, end});
            List<HostPort> r = replicas.computeIfAbsent(master, m -> new ArrayList<>());
            for (int i = 3; i < range.size(); i++) {
                HostPort replica = node((List<?>) range.get(i));
                if (!r.contains(replica)) {
                    r.add(replica);
                }
            }
        }
        List<Shard> shards = new ArrayList<>();
        ranges.forEach((master, rs) -> shards.add(new Shard(master, replicas.get(master), rs)));
        return of(shards);
    }

    /**
     * From {@code CLUSTER SHARDS} as {@code RespValues} decodes it (maps as flat name, value lists): per shard
     * {@code slots} (start, end pairs) and {@code nodes} (each with {@code ip}, {@code port} and/or
     * {@code tls-port}, {@code role}, {@code health}). Nodes whose health is {@code fail} are left out, and so
     * are nodes without a port of the kind the proxy connects with; a shard without a master is skipped.
     *
     * @param tls whether the proxy connects to the nodes by TLS: each node's {@code tls-port} then, which a
     *            cluster with {@code tls-cluster yes} lists beside the plaintext {@code port} (absent when the
     *            node has none); a cluster that lists no {@code tls-port} gives its {@code port}
     */
    public static SlotMap fromClusterShards(List<?> reply, boolean tls) {
        List<Shard> shards = new ArrayList<>();
        for (Object o : reply) {
            Map<String, Object> shard = map((List<?>) o);
            List<?> slots = (List<?>) shard.get("slots");
            List<int[]> ranges = new ArrayList<>();
            for (int i = 0; i + 1 < slots.size(); i += 2) {
                ranges.add(new int[] {((Long) slots.get(i)).intValue(), ((Long) slots.get(i + 1)).intValue()});
            }
            HostPort master = null;
            List<HostPort> replicas = new ArrayList<>();
            for (Object n : (List<?>) shard.get("nodes")) {
                Map<String, Object> node = map((List<?>) n);
                if ("fail".equals(node.get("health"))) {
                    continue;
                }
                Long port = (Long) (tls && node.containsKey("tls-port") ? node.get("tls-port") : node.get("port"));
                if (port == null) {
                    continue; // e.g. a TLS-only node, to a proxy that connects in plaintext
                }
                HostPort at = new HostPort(endpoint(node.get("endpoint"), node.get("hostname"), node.get("ip")),
                        port.intValue());
                if ("master".equals(node.get("role"))) {
                    master = at;
                } else {
                    replicas.add(at);
                }
            }
            if (master != null && !ranges.isEmpty()) {
                shards.add(new Shard(master, replicas, ranges));
            }
        }
        return of(shards);
    }

    private static SlotMap of(List<Shard> shards) {
        Shard[] bySlot = new Shard[HashSlot.SLOTS];
        for (Shard s : shards) {
            for (int[] r : s.ranges()) {
                for (int slot = r[0]; slot <= r[1]; slot++) {
                    bySlot[slot] = s;
                }
            }
        }
        return new SlotMap(bySlot, shards);
    }

    /**
     * A node of CLUSTER SLOTS: {@code [endpoint, port, id, {hostname, ip}]}; the endpoint is what
     * {@code cluster-preferred-endpoint-type} says (an IP, a hostname, {@code ?} for a node without a hostname,
     * null for {@code unknown-endpoint}), the metadata map (Redis 7) names the others.
     */
    private static HostPort node(List<?> n) {
        Map<String, Object> meta = n.size() > 3 && n.get(3) instanceof List<?> l ? map(l) : Map.of();
        return new HostPort(endpoint(n.get(0), meta.get("hostname"), meta.get("ip")), ((Long) n.get(1)).intValue());
    }

    /**
     * The address the proxy connects to: the node's preferred endpoint, the one its MOVED and ASK redirections
     * name (so that a redirection and the map name a node alike), else its announced hostname, else its IP. A
     * hostname is resolved when connecting, like a configured one.
     */
    private static String endpoint(Object preferred, Object hostname, Object ip) {
        for (Object candidate : new Object[] {preferred, hostname, ip}) {
            if (candidate instanceof String s && !s.isEmpty() && !"?".equals(s)) {
                return s;
            }
        }
        throw new IllegalArgumentException("cluster node without an address (endpoint " + preferred + ", hostname "
                + hostname + ", ip " + ip + ")");
    }

    private static Map<String, Object> map(List<?> flat) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            m.put((String) flat.get(i), flat.get(i + 1));
        }
        return m;
    }
}
