package io.resplit.backend;

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

    /**
     * Reads the fields from the text of {@code INFO replication} in one pass over its lines, with no map, no
     * regular expression and no string per field (it runs on an event loop at every health check). Redis writes
     * each field once and lists the replicas in order ({@code slave0}, {@code slave1}, ...): the list ends at the
     * first line out of that order.
     */
    static InfoReplication parse(String info) {
        String role = "unknown";
        boolean linkUp = false;
        boolean syncing = false;
        long masterOffset = -1;
        long replicaOffset = -1;
        java.util.List<io.resplit.config.HostPort> replicas = new java.util.ArrayList<>(2);
        int listedLines = 0;
        int n = info.length();
        for (int line = 0; line < n; ) {
            int eol = info.indexOf("\r\n", line);
            int end = eol < 0 ? n : eol;
            int colon = info.indexOf(':', line);
            if (colon > line && colon < end && info.charAt(line) != '#') {
                int v = colon + 1;
                if (key(info, line, colon, "role")) {
                    role = end - v == 6 && info.startsWith("master", v) ? "master"
                            : end - v == 5 && info.startsWith("slave", v) ? "slave" : info.substring(v, end);
                } else if (key(info, line, colon, "master_link_status")) {
                    linkUp = info.regionMatches(v, "up", 0, 2) && end - v == 2;
                } else if (key(info, line, colon, "master_sync_in_progress")) {
                    syncing = end - v == 1 && info.charAt(v) == '1';
                } else if (key(info, line, colon, "master_repl_offset")) {
                    masterOffset = parseLong(info, v, end);
                } else if (key(info, line, colon, "slave_repl_offset")) {
                    replicaOffset = parseLong(info, v, end);
                } else if (colon - line > 5 && info.startsWith("slave", line)
                        && parseLong(info, line + 5, colon) == listedLines) {
                    listedLines++;
                    listed(info, v, end, replicas);
                }
            }
            line = eol < 0 ? n : eol + 2;
        }
        if ("master".equals(role)) {
            return new InfoReplication(role, true, false, masterOffset, replicas);
        }
        return new InfoReplication(role, linkUp, syncing, replicaOffset);
    }

    private static boolean key(String info, int from, int colon, String key) {
        return colon - from == key.length() && info.startsWith(key, from);
    }

    /**
     * One replica a master lists, {@code slave0:ip=10.0.0.2,port=6379,state=online,offset=...,lag=0}, added to
     * {@code out} when it names an address.
     */
    private static void listed(String info, int from, int end, java.util.List<io.resplit.config.HostPort> out) {
        String ip = null;
        long port = -1;
        for (int part = from; part < end; ) {
            int comma = info.indexOf(',', part);
            int stop = comma < 0 || comma > end ? end : comma;
            int eq = info.indexOf('=', part);
            if (eq > part && eq < stop) {
                if (key(info, part, eq, "ip")) {
                    ip = info.substring(eq + 1, stop);
                } else if (key(info, part, eq, "port")) {
                    port = parseLong(info, eq + 1, stop);
                }
            }
            part = stop + 1;
        }
        if (ip != null && port > 0 && port < 65536) {
            out.add(new io.resplit.config.HostPort(ip, (int) port));
        }
    }

    /** The decimal number in {@code s[from, end)} (blanks around it allowed), or -1. */
    private static long parseLong(String s, int from, int end) {
        while (from < end && s.charAt(from) <= ' ') {
            from++;
        }
        while (end > from && s.charAt(end - 1) <= ' ') {
            end--;
        }
        if (from == end || end - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
