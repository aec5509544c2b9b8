package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import java.util.List;

/**
 * ACL WHOAMI, LIST and USERS, answered from the proxy's own users (never the backends', whose users and hashes
 * stay with the operator). ACL LIST leaves passwords and their hashes out.
 */
final class AclCommand {
    void execute(ClientHandler c, RespRequest r, CommandSpec spec) {
        switch (spec.name()) {
            case "acl|whoami" -> c.reply(RespWriter.bulk(c.alloc(), c.session().userName()));
            case "acl|list" -> c.reply(bulks(c, c.context().runtime().acl().list()));
            case "acl|users" -> c.reply(bulks(c, c.context().runtime().acl().names()));
            default -> c.reply(LocalCommands.error(c, "ERR " + spec.note()));
        }
    }

    private static ByteBuf bulks(ClientHandler c, List<String> items) {
        ByteBuf b = c.alloc().buffer(32 * (items.size() + 1));
        RespWriter.writeArrayHeader(b, items.size());
        items.forEach(i -> RespWriter.writeBulk(b, i));
        return b;
    }
}
