package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.command.CommandSpec;
import io.resplit.command.CommandTable;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import java.util.ArrayList;
import java.util.List;

/** COMMAND, COMMAND COUNT, COMMAND INFO and COMMAND LIST, answered from the proxy's command table. */
final class CommandCommand {
    private final ProxyContext ctx;

    CommandCommand(ProxyContext ctx) {
        this.ctx = ctx;
    }

    void execute(ClientHandler c, RespRequest r, CommandSpec spec) {
        CommandTable table = ctx.runtime().table();
        ByteBuf b = c.channel().alloc().buffer();
        switch (spec.name()) {
            case "command" -> {
                if (r.argc() > 1) {
                    b.release();
                    c.reply(LocalCommands.error(c, "ERR unknown subcommand '" + r.argString(1)
                            + "'. Try COMMAND HELP."));
                    return;
                }
                RespWriter.writeArrayHeader(b, table.commands().size());
                table.commands().forEach(s -> writeEntry(b, s, c.session().protocol()));
            }
            case "command|count" -> RespWriter.writeInteger(b, table.commands().size());
            case "command|info" -> {
                if (r.argc() == 2) {
                    RespWriter.writeArrayHeader(b, table.commands().size());
                    table.commands().forEach(s -> writeEntry(b, s, c.session().protocol()));
                } else {
                    RespWriter.writeArrayHeader(b, r.argc() - 2);
                    for (int i = 2; i < r.argc(); i++) {
                        CommandSpec s = table.find(r.argString(i));
                        if (s == null) {
                            RespWriter.writeNull(b, c.session().protocol());
                        } else {
                            writeEntry(b, s, c.session().protocol());
                        }
                    }
                }
            }
            case "command|list" -> {
                if (r.argc() > 2) {
                    b.release();
                    c.reply(LocalCommands.error(c, "ERR resplit: COMMAND LIST FILTERBY is not supported"));
                    return;
                }
                List<String> names = new ArrayList<>();
                for (CommandSpec s : table.commands()) {
                    names.add(s.name());
                    s.subcommands().forEach(sub -> names.add(sub.name()));
                }
                RespWriter.writeArrayHeader(b, names.size());
                names.forEach(n -> RespWriter.writeBulk(b, n));
            }
            default -> {
                b.release();
                c.reply(LocalCommands.error(c, "ERR " + spec.note()));
                return;
            }
        }
        c.reply(b);
    }

    /**
     * One entry: the master's own when the table came from it, else rebuilt in the layout of Redis 7's COMMAND
     * reply from the checked-in table (without tips and key specs, which it does not keep).
     */
    private static void writeEntry(ByteBuf b, CommandSpec s, int protocol) {
        byte[] master = s.masterEntry(protocol);
        if (master != null) {
            b.writeBytes(master); // exactly what the master says, tips and key specs included
            return;
        }
        RespWriter.writeArrayHeader(b, 10);
        RespWriter.writeBulk(b, s.name());
        RespWriter.writeInteger(b, s.arity());
        RespWriter.writeSetHeader(b, s.flags().size(), protocol);
        s.flags().stream().sorted().forEach(f -> RespWriter.writeSimple(b, f));
        RespWriter.writeInteger(b, s.firstKey());
        RespWriter.writeInteger(b, s.lastKey());
        RespWriter.writeInteger(b, s.keyStep());
        RespWriter.writeSetHeader(b, s.aclCategories().size(), protocol);
        s.aclCategories().forEach(a -> RespWriter.writeSimple(b, "@" + a));
        RespWriter.writeArrayHeader(b, 0);
        RespWriter.writeArrayHeader(b, 0);
        RespWriter.writeArrayHeader(b, s.subcommands().size());
        s.subcommands().forEach(sub -> writeEntry(b, sub, protocol));
    }
}
