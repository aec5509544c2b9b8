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
 */
public record InfoReplication(String role, boolean linkUp, boolean syncing, long offset) {

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
            return new InfoReplication(role, true, false, parseLong(f.get("master_repl_offset")));
        }
        return new InfoReplication(role, "up".equals(f.get("master_link_status")),
                "1".equals(f.get("master_sync_in_progress")), parseLong(f.get("slave_repl_offset")));
    }

    private static long parseLong(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
