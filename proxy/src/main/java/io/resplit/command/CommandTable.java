package io.resplit.command;

import io.resplit.resp.RespRequest;
import java.util.List;

/**
 * The command table: every command and subcommand the proxy knows, looked up from a request's raw bytes.
 * Immutable; a refreshed table (from the master's {@code COMMAND}) replaces it whole.
 */
public final class CommandTable {
    private final NameIndex commands;
    private final String source;

    CommandTable(List<CommandSpec> topLevel, String source) {
        this.commands = new NameIndex(topLevel, CommandSpec::lowerName);
        this.source = source;
    }

    /**
     * The spec for a request: the subcommand's spec for container commands (CLIENT SETNAME), the container's
     * own for an unknown subcommand, {@code null} for a command the table does not know.
     */
    public CommandSpec resolve(RespRequest request) {
        CommandSpec spec = commands.find(request.bytes(), request.argOffset(0), request.argLength(0));
        if (spec == null || spec.subcommandIndex() == null || request.argc() < 2) {
            return spec;
        }
        CommandSpec sub = spec.subcommandIndex().find(request.bytes(), request.argOffset(1), request.argLength(1));
        return sub != null ? sub : spec;
    }

    /** A command or {@code parent|sub} subcommand by name, case-insensitive; null when unknown. */
    public CommandSpec find(String name) {
        byte[] lower = name.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int bar = indexOf(lower, (byte) '|');
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(lower);
        CommandSpec top = commands.find(buf, 0, bar < 0 ? lower.length : bar);
        if (top == null || bar < 0) {
            return top;
        }
        return top.subcommandIndex() == null ? null
                : top.subcommandIndex().find(buf, bar + 1, lower.length - bar - 1);
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Every top-level command, sorted by name. */
    public List<CommandSpec> commands() {
        return commands.all();
    }

    /** Top-level commands plus subcommands. */
    public int size() {
        int n = 0;
        for (CommandSpec spec : commands.all()) {
            n += 1 + spec.subcommands().size();
        }
        return n;
    }

    /** Where the rows came from, e.g. "built-in (redis 7.0.15)" or "COMMAND on 127.0.0.1:6379". */
    public String source() {
        return source;
    }
}
