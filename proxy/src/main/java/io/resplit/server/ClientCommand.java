package io.resplit.server;

import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;

/**
 * The CLIENT subcommands answered per client connection. They must never reach a shared backend connection,
 * where a SETNAME would rename the proxy's connection for every client on it.
 */
final class ClientCommand {
    static final String BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

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
            case "client|maint_notifications" -> c.reply(Replies.ok());
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
