package io.resplit;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.ControlClient;
import io.resplit.command.CommandTable;
import io.resplit.command.CommandTableLoader;
import io.resplit.config.ProxyConfig;
import io.resplit.server.ProxyContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns from the master at start-up what the built-in knowledge cannot know: its {@code COMMAND} table (module
 * commands, a newer server) and its version. Without an answer the proxy keeps the built-in table.
 */
final class MasterIntrospection {
    private static final Logger log = LoggerFactory.getLogger(MasterIntrospection.class);

    private final ProxyConfig config;
    private final ProxyContext context;

    MasterIntrospection(ProxyConfig config, ProxyContext context) {
        this.config = config;
        this.context = context;
    }

    /** Reads from the master of the current topology (the config's, or the one the sentinels named). */
    void refresh() {
        refresh(context.topology().current().master().address());
    }

    /** Reads COMMAND (and version, databases) from {@code master}; called at start and after a failover. */
    void refresh(io.resplit.config.HostPort master) {
        try {
            List<ControlClient.Reply> raw = ControlClient.callRaw(master, context.backendCredentials(),
                    config.connectTimeoutMs(),
                    List.of(new String[] {"COMMAND"}, new String[] {"INFO", "server"},
                            new String[] {"CONFIG", "GET", "databases"}, new String[] {"HELLO", "3"},
                            new String[] {"COMMAND"}));
            List<Object> replies = raw.stream().map(ControlClient.Reply::value).toList();
            if (replies.get(0) instanceof List<?> commands) {
                // COMMAND once in RESP2 and once (after HELLO 3) in RESP3: clients get the master's own entries
                CommandTable table = CommandTableLoader.fromCommandReply(commands, "COMMAND on " + master,
                        CommandTableLoader.entriesByName(raw.get(0).raw()),
                        replies.get(4) instanceof List<?> ? CommandTableLoader.entriesByName(raw.get(4).raw())
                                : java.util.Map.of());
                context.table(table);
                log.info("command table refreshed from the master: {} commands", table.size());
            } else {
                log.warn("master answered COMMAND with {}; keeping the built-in command table", replies.get(0));
            }
            if (replies.get(1) instanceof String info) {
                for (String line : info.split("\r\n")) {
                    if (line.startsWith("redis_version:")) {
                        context.backendVersion(line.substring("redis_version:".length()));
                    }
                }
            }
            // a SELECT the master cannot honour would fail a shared connection's handshake: refuse it up front
            if (replies.get(2) instanceof List<?> kv && kv.size() == 2) {
                int count = Integer.parseInt((String) kv.get(1));
                context.masterDatabases(count);
                if (count < config.databases()) {
                    log.warn("the master has {} databases, fewer than 'databases {}': SELECT accepts 0..{}", count,
                            config.databases(), count - 1);
                }
            }
        } catch (Exception e) {
            log.warn("could not read COMMAND from the master {} ({}); keeping the built-in command table",
                    master, e.toString());
        }
    }
}
