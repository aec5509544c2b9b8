package io.resplit.backend;

import java.util.HashMap;
import java.util.Map;

/**
 * The fields of {@code INFO replication} the proxy routes by.
 *
 * @param role            "master" or "slave", as Redis reports it
 * @param linkUp          for a replica: {@code master_link_status:up}; always true for a master
 * @param syncing         for a replica: a full sync is in progress
 * @param offset          a master's {@code master_repl_offset}; a replica's processed {@code slave_repl_offset}
 * @param replicas        for a master: the replicas it lists ({@code slaveN:ip=...,port=...}), as it sees them
 */
public record InfoReplication(String role, boolean linkUp, boolean syncing, long offset,
                             java.util.List<io.resplit.config.HostPort> replicas) {
    public InfoReplication {
        replicas = java.util.List.copyOf(replicas);
    }

    public InfoReplication(String role, boolean linkUp, boolean syncing, long offset) {
        this(role, linkUp, syncing, offset, java.util.List.of());
    }

    public boolean isMaster() {
        return "master".equals(role);
    }

    static InfoReplication parse(String info) {
        Map<String, String> f = new HashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                f.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        String role = f.getOrDefault("role", "unknown");
        if ("master".equals(role)) {
            return new InfoReplication(role, true, false, parseLong(f.get("master_repl_offset")), listed(f));
        }
        return new InfoReplication(role, "up".equals(f.get("master_link_status")),
                "1".equals(f.get("master_sync_in_progress")), parseLong(f.get("slave_repl_offset")));
    }

    /** The replicas a master lists: {@code slave0:ip=10.0.0.2,port=6379,state=online,offset=...,lag=0}. */
    private static java.util.List<io.resplit.config.HostPort> listed(Map<String, String> f) {
        java.util.List<io.resplit.config.HostPort> out = new java.util.ArrayList<>();
        for (int i = 0; f.containsKey("slave" + i); i++) {
            Map<String, String> kv = new HashMap<>();
            for (String part : f.get("slave" + i).split(",")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            long port = parseLong(kv.get("port"));
            if (kv.get("ip") != null && port > 0 && port < 65536) {
                out.add(new io.resplit.config.HostPort(kv.get("ip"), (int) port));
            }
        }
        return out;
    }

    private static long parseLong(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
