package io.resplit.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds {@link CommandTable}s: the built-in one from the checked-in {@code commands.tsv} (generated from a real
 * Redis by {@code proxy/tools/gen-command-table.py}), and a fresh one from a live server's {@code COMMAND} reply
 * so that module commands and newer servers classify right.
 */
public final class CommandTableLoader {
    private static final String TABLE = "commands.tsv";
    private static final String POLICY = "proxy-policy.tsv";

    private CommandTableLoader() {
    }

    /** The table checked in with this build. */
    public static CommandTable builtIn() {
        List<CommandRow> rows = new ArrayList<>();
        String version = "unknown";
        try (BufferedReader r = resource(TABLE)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#")) {
                    int at = line.indexOf("redis_version ");
                    if (at >= 0) {
                        version = line.substring(at + 14).split("[;\\s]")[0];
                    }
                    continue;
                }
                if (!line.isBlank()) {
                    rows.add(parseRow(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return build(rows, "built-in (redis " + version + ")", Map.of(), Map.of());
    }

    /**
     * A table from a {@code COMMAND} reply decoded by {@link io.resplit.resp.RespValues}: each entry is
     * [name, arity, [flags], first, last, step, [acl categories], tips, key specs, [subcommand entries]].
     */
    public static CommandTable fromCommandReply(List<?> reply, String source) {
        return fromCommandReply(reply, source, Map.of(), Map.of());
    }

    /**
     * As {@link #fromCommandReply(List, String)}, keeping each top-level command's entry as the master sent it
     * in RESP2 and RESP3 (by lower-case name) so that COMMAND replies carry the master's tips and key specs.
     */
    public static CommandTable fromCommandReply(List<?> reply, String source, Map<String, byte[]> raw2,
                                                Map<String, byte[]> raw3) {
        List<CommandRow> rows = new ArrayList<>();
        for (Object entry : reply) {
            addReplyEntry((List<?>) entry, rows);
        }
        return build(rows, source, raw2, raw3);
    }

    /** Splits the bytes of a whole COMMAND reply into its entries, by lower-case command name. */
    public static Map<String, byte[]> entriesByName(byte[] commandReply) {
        Map<String, byte[]> entries = new java.util.HashMap<>();
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(commandReply);
        int at = buf.indexOf(0, buf.writerIndex(), (byte) '\n') + 1; // past the array header
        while (at < buf.writerIndex()) {
            int len = io.resplit.resp.RespFrames.length(buf, at);
            if (len <= 0) {
                break;
            }
            List<?> entry = (List<?>) io.resplit.resp.RespValues.read(buf.slice(at, len));
            byte[] raw = new byte[len];
            buf.getBytes(at, raw);
            entries.put(((String) entry.get(0)).toLowerCase(java.util.Locale.ROOT), raw);
            at += len;
        }
        return entries;
    }

    private static void addReplyEntry(List<?> e, List<CommandRow> rows) {
        String name = ((String) e.get(0)).toLowerCase(java.util.Locale.ROOT);
        List<String> acl = new ArrayList<>();
        if (e.size() > 6) {
            for (Object c : (List<?>) e.get(6)) {
                String s = (String) c;
                acl.add(s.startsWith("@") ? s.substring(1) : s);
            }
        }
        Set<String> flags = new HashSet<>();
        for (Object f : (List<?>) e.get(2)) {
            flags.add(((String) f).toLowerCase(java.util.Locale.ROOT));
        }
        List<String> tips = new ArrayList<>();
        if (e.size() > 7 && e.get(7) instanceof List<?> given) {
            for (Object t : given) {
                tips.add(((String) t).toLowerCase(java.util.Locale.ROOT));
            }
        }
        rows.add(new CommandRow(name, toInt(e.get(1)), flags, toInt(e.get(3)), toInt(e.get(4)), toInt(e.get(5)),
                acl, tips));
        if (e.size() > 9 && e.get(9) instanceof List<?> subs) {
            for (Object sub : subs) {
                addReplyEntry((List<?>) sub, rows);
            }
        }
    }

    private static int toInt(Object o) {
        return ((Long) o).intValue();
    }

    static CommandRow parseRow(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 8) {
            throw new IllegalStateException(TABLE + ": bad row: " + line);
        }
        Set<String> flags = "-".equals(f[2]) ? Set.of() : Set.copyOf(Arrays.asList(f[2].split(",")));
        List<String> acl = "-".equals(f[6]) ? List.of() : List.of(f[6].split(","));
        List<String> tips = "-".equals(f[7]) ? List.of() : List.of(f[7].split(","));
        return new CommandRow(f[0], Integer.parseInt(f[1]), flags, Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                Integer.parseInt(f[5]), acl, tips);
    }

    private static CommandTable build(List<CommandRow> rows, String source, Map<String, byte[]> raw2,
                                      Map<String, byte[]> raw3) {
        HandlingPolicy policy = HandlingPolicy.load(CommandTableLoader.class.getResourceAsStream(POLICY));
        Set<String> known = new HashSet<>();
        rows.forEach(r -> known.add(r.name()));
        List<CommandRow> all = new ArrayList<>(rows);
        all.addAll(policy.extraRows(known));

        Map<String, List<CommandSpec>> subsByParent = new LinkedHashMap<>();
        for (CommandRow row : all) {
            if (row.isSubcommand()) {
                subsByParent.computeIfAbsent(row.parent(), k -> new ArrayList<>())
                        .add(spec(row, policy, null, null, null));
            }
        }
        List<CommandSpec> top = new ArrayList<>();
        for (CommandRow row : all) {
            if (!row.isSubcommand()) {
                List<CommandSpec> subs = subsByParent.get(row.name());
                NameIndex index = subs == null ? null : new NameIndex(subs,
                        s -> s.name().substring(s.name().indexOf('|') + 1).getBytes(StandardCharsets.US_ASCII));
                top.add(spec(row, policy, index, raw2.get(row.name()), raw3.get(row.name())));
            }
        }
        return new CommandTable(top, source);
    }

    private static CommandSpec spec(CommandRow row, HandlingPolicy policy, NameIndex subs, byte[] raw2,
                                    byte[] raw3) {
        Handling handling = policy.handlingOf(row);
        return new CommandSpec(row.name(), row.arity(), row.flags(), row.firstKey(), row.lastKey(), row.keyStep(),
                row.aclCategories(), handling, policy.insideMulti(row), policy.noteOf(row, handling), subs, raw2,
                raw3, ShardPolicy.of(row.tips()));
    }

    private static BufferedReader resource(String name) {
        InputStream in = CommandTableLoader.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing resource " + name);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
