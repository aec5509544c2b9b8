package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.ControlClient;
import io.resplit.command.CommandSpec;
import io.resplit.command.CommandTable;
import io.resplit.command.CommandTableLoader;
import io.resplit.command.Handling;
import io.resplit.config.HostPort;
import io.resplit.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The command table against the Redis on this machine, by what must hold for any Redis from 6.2 to 7.x rather
 * than by one version's list of commands: the table the proxy builds from the server's {@code COMMAND} (as it does
 * at start) knows every command the server reports, never sends a command to a replica unless the server flags it
 * read-only, and routes every command the built-in table also has the way the built-in table does. Only a server
 * of the version the built-in table was generated from must match it row for row; regenerate it with
 * proxy/tools/gen-command-table.py when that fails after a Redis upgrade.
 */
class CommandTableIT {
    private static final Pattern BUILT_IN_VERSION = Pattern.compile("\\(redis ([0-9.]+)\\)");

    @Test
    void theServersCommandsAreClassifiedAsTheBuiltInTableClassifiesThem() throws Exception {
        try (RedisServer server = RedisServer.start("pw")) {
            List<Object> replies = ControlClient.call(new HostPort(server.host(), server.port()),
                    new BackendCredentials(null, "pw"), 5000,
                    List.<String[]>of(new String[] {"COMMAND"}, new String[] {"INFO", "server"}));
            List<?> reply = (List<?>) replies.get(0);
            CommandTable live = CommandTableLoader.fromCommandReply(reply, "live");
            CommandTable builtIn = CommandTableLoader.builtIn();

            List<String> reported = new ArrayList<>();
            reportedNames(reply, reported);
            assertTrue(reported.size() > 150, "COMMAND lists the server's commands: " + reported.size());
            for (String name : reported) {
                CommandSpec spec = live.find(name);
                assertNotNull(spec, name + " is reported by the server but has no spec");
                assertNotNull(spec.note(), name);
                boolean read = spec.handling() == Handling.READ;
                assertFalse(read && (!spec.hasFlag("readonly") || spec.hasFlag("write")),
                        name + " would go to a replica with flags " + spec.flags());
            }

            int compared = 0;
            for (CommandSpec spec : all(live)) {
                CommandSpec known = builtIn.find(spec.name());
                // a container in one version may be a plain command in another (OBJECT before Redis 7 has no
                // subcommand entries): a request then resolves to different specs, compared by their own names
                if (known == null || known.subcommands().isEmpty() != spec.subcommands().isEmpty()) {
                    continue;
                }
                compared++;
                assertEquals(known.handling(), spec.handling(), spec.name() + ": route");
                assertEquals(known.hasFlag("readonly"), spec.hasFlag("readonly"), spec.name() + ": readonly flag");
                assertEquals(known.hasFlag("write"), spec.hasFlag("write"), spec.name() + ": write flag");
            }
            assertTrue(compared > 150, "commands both tables know: " + compared);

            String version = infoField((String) replies.get(1), "redis_version");
            Matcher m = BUILT_IN_VERSION.matcher(builtIn.source());
            assertTrue(m.find(), builtIn.source());
            if (m.group(1).equals(version)) { // the version the table was generated from: row for row
                assertEquals(describe(builtIn), describe(live));
            }
        }
    }

    /** Every command and subcommand name in a COMMAND reply (subcommand entries from Redis 7 on). */
    private static void reportedNames(List<?> entries, List<String> out) {
        for (Object e : entries) {
            List<?> entry = (List<?>) e;
            out.add(((String) entry.get(0)).toLowerCase(Locale.ROOT));
            if (entry.size() > 9 && entry.get(9) instanceof List<?> subs) {
                reportedNames(subs, out);
            }
        }
    }

    private static String infoField(String info, String field) {
        return info.lines().filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).strip())
                .findFirst().orElseThrow(() -> new AssertionError("no " + field + " in INFO: " + info));
    }

    private static List<CommandSpec> all(CommandTable table) {
        List<CommandSpec> all = new ArrayList<>();
        for (CommandSpec s : table.commands()) {
            all.add(s);
            all.addAll(s.subcommands());
        }
        return all;
    }

    private static TreeMap<String, String> describe(CommandTable table) {
        TreeMap<String, String> rows = new TreeMap<>();
        for (CommandSpec s : all(table)) {
            rows.put(s.name(), s.arity() + " " + new TreeSet<>(s.flags()) + " " + s.firstKey() + " "
                    + s.lastKey() + " " + s.keyStep() + " " + s.aclCategories() + " " + s.handling());
        }
        return rows;
    }
}
