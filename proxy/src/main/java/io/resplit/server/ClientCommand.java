package io.resplit.server;

import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;

/**
 * The CLIENT subcommands answered per client connection. They must never reach a shared backend connection,
 * where a SETNAME would rename the proxy's connection for every client on it.
 */
final class ClientCommand {
    static final String BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
    private final TrackingCommand tracking = new TrackingCommand();

    void execute(ClientHandler c, RespRequest r, CommandSpec spec) {
        ClientSession s = c.session();
        switch (spec.name()) {
            case "client|id" -> c.reply(RespWriter.integer(c.channel().alloc(), s.id()));
            case "client|getname" -> c.reply(s.name() == null ? RespWriter.nullReply(c.channel().alloc(), s.protocol())
                    : RespWriter.bulk(c.channel().alloc(), s.name()));
            case "client|setname" -> {
                String name = r.argString(2);
                if (!validName(name)) {
                    c.reply(LocalCommands.error(c, BAD_NAME));
                    return;
                }
                s.name(name.isEmpty() ? null : name);
                c.reply(Replies.ok());
            }
            case "client|setinfo" -> setInfo(c, r, s);
            case "client|maint_notifications", "client|no-evict", "client|no-touch" -> c.reply(Replies.ok());
            case "client|info" -> c.reply(RespWriter.verbatim(c.alloc(), ClientInfo.line(c) + "\n", s.protocol()));
            case "client|list" -> list(c, r);
            case "client|kill" -> kill(c, r);
            case "client|reply" -> reply(c, r);
            case "client|tracking" -> tracking.tracking(c, r);
            case "client|caching" -> tracking.caching(c, r);
            case "client|getredir" -> tracking.getRedir(c);
            case "client|trackinginfo" -> tracking.trackingInfo(c);
            case "client|unblock" -> unblock(c, r, spec);
            case "client|pause", "client|unpause" -> pause(c, r, spec);
            default -> c.reply(LocalCommands.error(c, "ERR " + spec.note()));
        }
    }

    private void setInfo(ClientHandler c, RespRequest r, ClientSession s) {
        String value = r.argString(3);
        if (r.argIs(2, "lib-name")) {
            if (!validName(value)) {
                c.reply(LocalCommands.error(c, "ERR lib-name cannot contain spaces, newlines or special characters."));
                return;
            }
            s.libName(value);
        } else if (r.argIs(2, "lib-ver")) {
            if (!validName(value)) {
                c.reply(LocalCommands.error(c, "ERR lib-ver cannot contain spaces, newlines or special characters."));
                return;
            }
            s.libVersion(value);
        } else {
            c.reply(LocalCommands.error(c, "ERR Unrecognized option '" + r.argString(2) + "'"));
            return;
        }
        c.reply(Replies.ok());
    }

    /** CLIENT LIST [TYPE normal|pubsub|master|replica] [ID id ...]. */
    private void list(ClientHandler c, RespRequest r) {
        String type = null;
        java.util.Set<Long> ids = null;
        for (int i = 2; i < r.argc(); i++) {
            if (r.argIs(i, "type") && i + 1 < r.argc()) {
                type = r.argString(++i).toLowerCase(java.util.Locale.ROOT);
            } else if (r.argIs(i, "id") && i + 1 < r.argc()) {
                ids = new java.util.HashSet<>();
                while (i + 1 < r.argc()) {
                    Long id = r.argLong(++i);
                    if (id == null || id <= 0) {
                        c.reply(LocalCommands.error(c, "ERR Invalid client ID"));
                        return;
                    }
                    ids.add(id);
                }
            } else {
                c.reply(LocalCommands.error(c, "ERR syntax error"));
                return;
            }
        }
        StringBuilder out = new StringBuilder();
        for (ClientHandler h : c.context().clients().all()) {
            if ((type == null || type.equals(ClientInfo.type(h))) && (ids == null || ids.contains(h.session().id()))) {
                out.append(ClientInfo.line(h)).append('\n');
            }
        }
        c.reply(RespWriter.verbatim(c.alloc(), out.toString(), c.session().protocol()));
    }

    /** CLIENT KILL addr:port, or CLIENT KILL with ID / ADDR / LADDR / USER / TYPE / SKIPME filters. */
    private void kill(ClientHandler c, RespRequest r) {
        if (r.argc() == 3) {
            String addr = r.argString(2);
            for (ClientHandler h : c.context().clients().all()) {
                if (addr.equals(ClientInfo.addr(h))) {
                    if (h != c && !mayKillOthers(c)) {
                        c.reply(LocalCommands.error(c, KILL_REFUSED));
                        return;
                    }
                    h.channel().close();
                    c.reply(Replies.ok());
                    return;
                }
            }
            c.reply(LocalCommands.error(c, "ERR No such client"));
            return;
        }
        if (r.argc() % 2 != 0) {
            c.reply(LocalCommands.error(c, "ERR syntax error"));
            return;
        }
        java.util.List<java.util.function.Predicate<ClientHandler>> filters = new java.util.ArrayList<>();
        boolean skipMe = true;
        for (int i = 2; i < r.argc(); i += 2) {
            String value = r.argString(i + 1);
            if (r.argIs(i, "id")) {
                Long id = r.argLong(i + 1);
                if (id == null || id <= 0) {
                    c.reply(LocalCommands.error(c, "ERR client-id should be greater than 0"));
                    return;
                }
                filters.add(h -> h.session().id() == id);
            } else if (r.argIs(i, "addr")) {
                filters.add(h -> value.equals(ClientInfo.addr(h)));
            } else if (r.argIs(i, "laddr")) {
                filters.add(h -> value.equals(ClientInfo.laddr(h)));
            } else if (r.argIs(i, "user")) {
                filters.add(h -> value.equals(h.session().userName()));
            } else if (r.argIs(i, "type")) {
                String type = value.toLowerCase(java.util.Locale.ROOT);
                filters.add(h -> type.equals(ClientInfo.type(h)));
            } else if (r.argIs(i, "skipme")) {
                if (!value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
                    c.reply(LocalCommands.error(c, "ERR syntax error"));
                    return;
                }
                skipMe = value.equalsIgnoreCase("yes");
            } else {
                c.reply(LocalCommands.error(c, "ERR syntax error"));
                return;
            }
        }
        java.util.List<ClientHandler> targets = new java.util.ArrayList<>();
        for (ClientHandler h : c.context().clients().all()) {
            if (!(skipMe && h == c) && filters.stream().allMatch(f -> f.test(h))) {
                targets.add(h);
            }
        }
        if (!mayKillOthers(c) && targets.stream().anyMatch(h -> h != c)) {
            c.reply(LocalCommands.error(c, KILL_REFUSED));
            return;
        }
        targets.forEach(h -> h.channel().close());
        c.reply(RespWriter.integer(c.alloc(), targets.size()));
    }

    static final String KILL_REFUSED = "ERR 'client|kill' of another client's connection is refused by resplit (it "
            + "would cut off another application); to allow it, set 'allow-admin-commands yes' or list it: "
            + "'allow-admin-commands client|kill'";

    /** Whether this proxy lets a client close other clients' connections (an admin command, as in Redis). */
    private static boolean mayKillOthers(ClientHandler c) {
        return adminAllowed(c, "client|kill");
    }

    /** Whether {@code allow-admin-commands} lets the admin command {@code name} through. */
    private static boolean adminAllowed(ClientHandler c, String name) {
        java.util.Set<String> allowed = c.context().runtime().config().allowAdminCommands();
        return allowed.contains(io.resplit.config.ProxyConfig.ALL) || allowed.contains(name);
    }

    /**
     * CLIENT UNBLOCK id [TIMEOUT|ERROR] of a client blocked through this proxy: its blocking command waits on a
     * master connection of its own, so the same CLIENT UNBLOCK goes to that node naming that connection (in
     * cluster mode the master of the shard it blocks on).
     * Answers 0, as Redis does, when the client is not blocked (or its command has not reached the node yet).
     */
    private void unblock(ClientHandler c, RespRequest r, CommandSpec spec) {
        if (r.argc() > 4) {
            c.reply(LocalCommands.error(c, spec.wrongArityError()));
            return;
        }
        if (r.argc() == 4 && !r.argIs(3, "timeout") && !r.argIs(3, "error")) {
            c.reply(LocalCommands.error(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
            return;
        }
        Long id = r.argLong(2);
        if (id == null) {
            c.reply(LocalCommands.error(c, "ERR value is not an integer or out of range"));
            return;
        }
        ClientHandler target = c.context().clients().byId(id);
        io.resplit.backend.BackendConnection blocked = target == null ? null : target.blockedOn();
        io.resplit.cluster.ClusterDirectory cluster = c.context().cluster();
        if (blocked == null || blocked.serverId() == 0 || (cluster == null
                ? blocked.node() != c.context().topology().current().master()
                : !cluster.view().isMaster(blocked.node()))) {
            // not blocked, not yet on the node, or on a former master (which released it when demoted: the
            // proxy blocks it again on the new one); ids are per server, so another node's must not be used
            c.reply(RespWriter.integer(c.alloc(), 0));
            return;
        }
        String serverId = Long.toString(blocked.serverId());
        RespRequest toNode = r.argc() == 4
                ? RespRequest.of(c.alloc(), "CLIENT", "UNBLOCK", serverId, r.argString(3))
                : RespRequest.of(c.alloc(), "CLIENT", "UNBLOCK", serverId);
        if (cluster != null) { // to that node, wherever its slots are
            ScriptKillCommand.sendToEach(c, toNode, spec, java.util.List.of(blocked.node()));
        } else {
            c.forward(new PendingReply(c, toNode, spec, Route.MASTER));
        }
    }

    /**
     * CLIENT PAUSE / UNPAUSE: admin commands, for the master. While the master is paused its health checks may
     * go unanswered (PAUSE ALL): it is not taken for hung during the pause.
     */
    private void pause(ClientHandler c, RespRequest r, CommandSpec spec) {
        if (!adminAllowed(c, spec.name())) {
            c.reply(LocalCommands.error(c, ClientHandler.adminRefusal(spec)));
            return;
        }
        io.resplit.backend.BackendNode master = c.context().topology().current().master();
        Long ms = spec.name().equals("client|unpause") ? null : r.argLong(2);
        if (ms == null) {
            master.busy().pausedFor(0);
        }
        byte[][] args = new byte[r.argc()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = r.argBytes(i);
        }
        // a copy: the caller releases r
        PendingReply p = new PendingReply(c, RespRequest.of(c.alloc(), args), spec, Route.MASTER);
        if (ms != null && ms > 0) {
            // only a pause the master accepted relaxes its health checks (an error reply changes nothing)
            p.transform(reply -> {
                if (reply.getByte(reply.readerIndex()) == '+') {
                    master.busy().pausedFor(ms);
                }
                return reply;
            });
        }
        c.forward(p);
    }

    /** CLIENT REPLY ON|OFF|SKIP. */
    private void reply(ClientHandler c, RespRequest r) {
        if (r.argIs(2, "on")) {
            c.replyMode(false, false);
            c.reply(Replies.ok());
        } else if (r.argIs(2, "off")) {
            c.replyMode(true, false);
        } else if (r.argIs(2, "skip")) {
            c.replyMode(false, true);
        } else {
            c.reply(LocalCommands.error(c, "ERR syntax error"));
        }
    }

    /** Redis's rule for client names: printable ASCII without spaces. */
    static boolean validName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                return false;
            }
        }
        return true;
    }
}
