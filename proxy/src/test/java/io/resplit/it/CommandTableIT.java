package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.ControlClient;
import io.resplit.command.CommandSpec;
import io.resplit.command.CommandTable;
import io.resplit.command.CommandTableLoader;
import io.resplit.config.HostPort;
import io.resplit.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The checked-in command table equals what the Redis on this machine reports: regenerate it with
 * proxy/tools/gen-command-table.py when this fails after a Redis upgrade.
 */
class CommandTableIT {

    @Test
    void checkedInTableMatchesTheLiveServer() throws Exception {
        try (RedisServer server = RedisServer.start("pw")) {
            List<Object> replies = ControlClient.call(new HostPort(server.host(), server.port()),
                    new BackendCredentials(null, "pw"), 5000, List.<String[]>of(new String[] {"COMMAND"}));
            CommandTable live = CommandTableLoader.fromCommandReply((List<?>) replies.get(0), "live");
            CommandTable builtIn = CommandTableLoader.builtIn();
            assertEquals(describe(live), describe(builtIn));
        }
    }

    private static TreeMap<String, String> describe(CommandTable table) {
        TreeMap<String, String> rows = new TreeMap<>();
        List<CommandSpec> all = new ArrayList<>();
        for (CommandSpec s : table.commands()) {
            all.add(s);
            all.addAll(s.subcommands());
        }
        for (CommandSpec s : all) {
            rows.put(s.name(), s.arity() + " " + new java.util.TreeSet<>(s.flags()) + " " + s.firstKey() + " "
                    + s.lastKey() + " " + s.keyStep() + " " + s.aclCategories() + " " + s.handling());
        }
        return rows;
    }
}
