package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;

/**
 * The commands the proxy answers itself (those the command table marks {@code local}): connection state that
 * must not leak onto shared backend connections, and a few that need the proxy's own view. Each takes
 * ownership of the request.
 */
final class LocalCommands {
    private final AuthCommands auth;
    private final ClientCommand client;
    private final CommandCommand command;
    private final InfoCommand info;
    private final WaitCommand wait = new WaitCommand();
    private final ConfigGetCommand configGet = new ConfigGetCommand();
    private final AclCommand acl = new AclCommand();
    private final ScriptKillCommand scriptKill = new ScriptKillCommand();
    private final ResetCommand reset = new ResetCommand();

    LocalCommands(ProxyContext ctx) {
        this.auth = new AuthCommands(ctx);
        this.client = new ClientCommand();
        this.command = new CommandCommand(ctx);
        this.info = new InfoCommand(ctx);
    }

    void execute(ClientHandler c, RespRequest r, CommandSpec spec) {
        try {
            if (!spec.arityAccepts(r.argc())) {
                c.reply(RespWriter.error(c.channel().alloc(), spec.wrongArityError()));
                return;
            }
            switch (spec.name()) {
                case "ping" -> c.reply(busyMaster(c) != null ? RespWriter.error(c.alloc(), busyMaster(c))
                        : r.argc() == 1 ? Replies.pong() : r.argc() == 2
                        ? RespWriter.bulk(c.channel().alloc(), r.argBytes(1))
                        : RespWriter.error(c.channel().alloc(), spec.wrongArityError()));
                case "echo" -> c.reply(RespWriter.bulk(c.channel().alloc(), r.argBytes(1)));
                case "quit" -> c.replyAndClose(Replies.ok());
                case "reset" -> reset.execute(c, spec);
                case "readonly", "readwrite" -> c.reply(Replies.ok());
                case "role" -> c.reply(role(c));
                case "wait" -> wait.execute(c, r);
                case "monitor" -> {
                    if (!MonitorSession.start(c, r)) {
                        c.reply(RespWriter.error(c.alloc(), "ERR resplit: the master is unavailable"));
                    }
                }
                case "select" -> {
                    if (select(c, r, spec)) {
                        r = null; // forwarded to the pinned connection, which now owns the request
                    }
                }
                case "auth" -> auth.auth(c, r);
                case "hello" -> auth.hello(c, r);
                case "info" -> {
                    info.forward(c, r, spec);
                    r = null; // forwarded: the pending reply owns the request now
                }
                case "script|kill", "function|kill" -> {
                    scriptKill.execute(c, r, spec);
                    r = null; // sent to the nodes, which own their copies
                }
                case "config|get" -> {
                    configGet.forward(c, r, spec);
                    r = null;
                }
                default -> {
                    if (spec.name().startsWith("client|")) {
                        client.execute(c, r, spec);
                    } else if (spec.name().startsWith("acl|")) {
                        acl.execute(c, r, spec);
                    } else if (spec.name().startsWith("command")) {
                        command.execute(c, r, spec);
                    } else {
                        c.reply(RespWriter.error(c.channel().alloc(), "ERR " + spec.note()));
                    }
                }
            }
        } finally {
            if (r != null) {
                r.release();
            }
        }
    }

    /** SELECT; returns true when the request was forwarded (and is owned by the pinned connection now). */
    private boolean select(ClientHandler c, RespRequest r, CommandSpec spec) {
        Long db = r.argLong(1);
        if (db == null) {
            c.reply(RespWriter.error(c.channel().alloc(), "ERR value is not an integer or out of range"));
        } else if (db != 0 && c.context().cluster() != null) {
            c.reply(RespWriter.error(c.channel().alloc(), "ERR SELECT is not allowed in cluster mode"));
        } else if (db < 0 || db >= c.context().runtime().databases()) {
            c.reply(RespWriter.error(c.channel().alloc(), "ERR DB index is out of range"));
        } else if (c.session().watching()) {
            // the pinned connection must follow, or the client's next commands would run in the old database
            c.session().db((int) (long) db);
            c.forwarder().taintPinned();
            c.forward(new PendingReply(c, r, spec, Route.PINNED));
            return true;
        } else {
            c.session().db((int) (long) db);
            c.reply(Replies.ok());
        }
        return false;
    }

    /** ROLE: the proxy presents itself as a master without replicas, the one place clients should write. */
    private static io.netty.buffer.ByteBuf role(ClientHandler c) {
        io.netty.buffer.ByteBuf b = c.alloc().buffer(48);
        RespWriter.writeArrayHeader(b, 3);
        RespWriter.writeBulk(b, "master");
        RespWriter.writeInteger(b, Math.max(0, c.context().topology().current().master().state().offset()));
        RespWriter.writeArrayHeader(b, 0);
        return b;
    }

    /**
     * The master's BUSY error while it runs a long script or function, else null: PING answers it, as Redis does
     * to every client but the script's own, so that clients (and Redis's own tests) see the script running.
     */
    private static String busyMaster(ClientHandler c) {
        io.resplit.backend.BackendNode master = c.context().topology().current().master();
        return master.busy().isBusy() ? master.busy().error() : null;
    }

    /** Helper for replies built in place. */
    static ByteBuf error(ClientHandler c, String text) {
        return RespWriter.error(c.channel().alloc(), text);
    }
}
