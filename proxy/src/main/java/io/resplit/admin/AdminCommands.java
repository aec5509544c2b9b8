package io.resplit.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The admin console's command table, and HELP built from it. */
final class AdminCommands {
    private final Map<String, AdminCommand> byName = new LinkedHashMap<>();

    AdminCommands() {
        for (AdminCommand c : List.of(new StatusCommand(), new BackendsCommand(), new ClientsCommand(),
                new FailoverCommand(), new MasterCommand(), new ReplicaCommand(), new ConfigCommand(), new ReloadCommand(),
                new SlowlogCommand(), new ShutdownCommand())) {
            byName.put(c.name(), c);
        }
    }

    AdminReply run(AdminContext ctx, List<String> words) {
        String name = words.get(0).toUpperCase(Locale.ROOT);
        if (name.equals("HELP") || name.equals("COMMANDS")) {
            return help(); // COMMANDS too: redis-cli answers HELP itself and never sends it
        }
        if (name.equals("PING")) {
            return new AdminReply(AdminReply.Kind.STATUS, "PONG");
        }
        AdminCommand c = byName.get(name);
        if (c == null) {
            return AdminReply.error("unknown admin command '" + words.get(0) + "', try COMMANDS");
        }
        return c.run(ctx, words.subList(1, words.size()));
    }

    /** Whether {@code words} only read (HELP, PING, STATUS, CONFIG GET, ...); unknown words count as reads. */
    boolean readOnly(List<String> words) {
        AdminCommand c = byName.get(words.get(0).toUpperCase(Locale.ROOT));
        return c == null || c.readOnly(words.subList(1, words.size()));
    }

    private AdminReply help() {
        StringBuilder out = new StringBuilder("resplit admin commands:\r\n");
        for (AdminCommand c : byName.values()) {
            out.append(String.format("  %-46s %s%n", c.usage(), c.summary()).replace("\n", "\r\n"));
        }
        out.append(String.format("  %-46s %s\r\n", "COMMANDS (or HELP)", "this list"));
        return AdminReply.text(out.toString());
    }
}
