package io.resplit.sentinel;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.ControlClient;
import io.resplit.config.HostPort;
import io.resplit.resp.RespValues;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks one sentinel, in one pipelined exchange, where the master is, its config epoch and flags, and which
 * replicas it knows.
 */
final class SentinelQuery {
    private SentinelQuery() {
    }

    static SentinelAnswer ask(HostPort sentinel, String masterName, BackendCredentials auth, int timeoutMs)
            throws IOException {
        List<Object> replies = ControlClient.call(sentinel, auth, timeoutMs, List.of(
                new String[] {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName},
                new String[] {"SENTINEL", "MASTER", masterName},
                new String[] {"SENTINEL", "REPLICAS", masterName}));
        for (Object r : replies) {
            if (r instanceof RespValues.Error e) {
                throw new IOException("sentinel " + sentinel + " answered: " + e.message());
            }
        }
        if (!(replies.get(0) instanceof List<?> addr) || addr.size() != 2) {
            throw new IOException("sentinel " + sentinel + " does not know master " + masterName);
        }
        HostPort master = new HostPort(String.valueOf(addr.get(0)), Integer.parseInt(String.valueOf(addr.get(1))));
        List<?> fields = (List<?>) replies.get(1);
        long epoch = parseLong(field(fields, "config-epoch"));
        String flags = String.valueOf(field(fields, "flags"));
        List<HostPort> replicas = new ArrayList<>();
        if (replies.get(2) instanceof List<?> list) {
            for (Object entry : list) {
                if (entry instanceof List<?> f && field(f, "ip") != null && field(f, "port") != null) {
                    replicas.add(new HostPort(String.valueOf(field(f, "ip")),
                            Integer.parseInt(String.valueOf(field(f, "port")))));
                }
            }
        }
        return new SentinelAnswer(sentinel, master, epoch, flags, replicas);
    }

    /** Each replica the sentinel lists, with the {@code slave-priority} it last read from the replica's INFO. */
    static java.util.Map<HostPort, String> replicaPriorities(HostPort sentinel, String masterName,
                                                            BackendCredentials auth, int timeoutMs) throws IOException {
        Object reply = ControlClient.call(sentinel, auth, timeoutMs,
                List.<String[]>of(new String[] {"SENTINEL", "REPLICAS", masterName})).get(0);
        if (!(reply instanceof List<?> list)) {
            throw new IOException("sentinel " + sentinel + " answered SENTINEL REPLICAS with " + reply);
        }
        java.util.Map<HostPort, String> out = new java.util.LinkedHashMap<>();
        for (Object entry : list) {
            if (entry instanceof List<?> f && field(f, "ip") != null && field(f, "port") != null) {
                out.put(new HostPort(String.valueOf(field(f, "ip")), Integer.parseInt(String.valueOf(field(f, "port")))),
                        String.valueOf(field(f, "slave-priority")));
            }
        }
        return out;
    }

    /** The value after {@code name} in a flat key, value, ... list (RESP2 maps), or null. */
    private static Object field(List<?> flat, String name) {
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            if (name.equals(flat.get(i))) {
                return flat.get(i + 1);
            }
        }
        return null;
    }

    private static long parseLong(Object v) {
        try {
            return v == null ? -1 : Long.parseLong(String.valueOf(v));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
