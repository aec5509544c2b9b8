package io.resplit.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides each command's {@link Handling}: from Redis's flags by default, from {@code proxy-policy.tsv} where the
 * proxy answers, pins or refuses a command itself. The default is safe: only a command Redis flags read-only
 * (and not write) may reach a replica.
 */
final class HandlingPolicy {
    /**
     * A policy row. For local commands, {@code multi} says what happens inside MULTI: "queue" (sent to the
     * master and queued there, as PING), "immediate" (still answered at once, as QUIT), or "" (refused: it
     * changes per-connection state the proxy keeps).
     */
    record Entry(Handling handling, String multi, Integer arity, String note) {
    }

    private final Map<String, Entry> entries;

    private HandlingPolicy(Map<String, Entry> entries) {
        this.entries = entries;
    }

    static HandlingPolicy load(InputStream in) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 4) {
                    throw new IllegalStateException("proxy-policy.tsv: bad row: " + line);
                }
                Integer arity = "-".equals(f[2]) ? null : Integer.valueOf(f[2]);
                String[] handlingAndMulti = f[1].split("-", 2); // e.g. "local-queue"
                String multi = handlingAndMulti.length > 1 ? handlingAndMulti[1] : "";
                entries.put(f[0], new Entry(Handling.valueOf(handlingAndMulti[0].toUpperCase(java.util.Locale.ROOT)),
                        multi, arity, f[3]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HandlingPolicy(entries);
    }

    /**
     * The policy row for a command: its own, or for an unlisted subcommand its container's (so that a refused
     * CLIENT or CONFIG covers every subcommand not explicitly allowed).
     */
    private Entry entryOf(CommandRow row) {
        Entry e = entries.get(row.name());
        if (e == null && row.isSubcommand()) {
            e = entries.get(row.parent());
        }
        return e;
    }

    /** What a local command does inside MULTI: "queue", "immediate", or "" (refused). */
    String insideMulti(CommandRow row) {
        Entry e = entries.get(row.name());
        return e == null ? "" : e.multi();
    }

    Handling handlingOf(CommandRow row) {
        Entry e = entryOf(row);
        if (e != null) {
            return e.handling();
        }
        Set<String> flags = row.flags();
        if (flags.contains("blocking")) {
            return Handling.BLOCKING; // would stall every client sharing the backend connection
        }
        if (flags.contains("write")) {
            return Handling.MASTER;
        }
        return flags.contains("readonly") ? Handling.READ : Handling.MASTER;
    }

    String noteOf(CommandRow row, Handling handling) {
        Entry e = entryOf(row);
        if (e != null) {
            return e.note();
        }
        switch (handling) {
            case READ:
                return "read-only: served by a replica";
            case BLOCKING:
                return "may block: runs on a dedicated master connection";
            default:
                return row.flags().contains("write") ? "write: the master" : "not flagged read-only: the master";
        }
    }

    /** Rows for commands newer than the generated table (e.g. CLIENT SETINFO) that the proxy answers itself. */
    List<CommandRow> extraRows(Set<String> known) {
        List<CommandRow> extra = new ArrayList<>();
        entries.forEach((name, e) -> {
            if (e.arity() != null && !known.contains(name)) {
                extra.add(new CommandRow(name, e.arity(), Set.of("noscript", "loading", "stale"), 0, 0, 0,
                        List.of("slow", "connection"), List.of()));
            }
        });
        return extra;
    }
}
