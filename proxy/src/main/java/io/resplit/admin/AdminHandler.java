package io.resplit.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.resplit.resp.ProtocolException;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin console connection: runs each command on the admin thread (commands may wait, e.g. a failover)
 * and writes the reply back; logs every command that changes something with who sent it.
 */
final class AdminHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminCommands commands;
    private final AdminContext ctx;
    private final ExecutorService executor;
    private final ExecutorService readExecutor;
    private final String password; // null: no AUTH needed (the Unix socket is protected by its file mode)
    private boolean authenticated;

    AdminHandler(AdminCommands commands, AdminContext ctx, ExecutorService executor, ExecutorService readExecutor,
                 String password) {
        this.readExecutor = readExecutor;
        this.commands = commands;
        this.ctx = ctx;
        this.executor = executor;
        this.password = password;
        this.authenticated = password == null;
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (msg instanceof ProtocolException e) {
            c.writeAndFlush(RespWriter.error(c.alloc(), "ERR " + e.getMessage())).addListener(f -> c.close());
            return;
        }
        List<String> words = new ArrayList<>();
        RespRequest r = (RespRequest) msg;
        try {
            for (int i = 0; i < r.argc(); i++) {
                words.add(r.argString(i));
            }
        } finally {
            r.release();
        }
        if (words.get(0).equalsIgnoreCase("AUTH")) {
            boolean ok = password != null && words.size() == 2 && MessageDigest.isEqual(
                    words.get(1).getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
            authenticated |= ok;
            c.writeAndFlush(ok ? RespWriter.simple(c.alloc(), "OK") : RespWriter.error(c.alloc(),
                    "WRONGPASS invalid username-password pair or user is disabled."));
            return;
        }
        if (!authenticated) {
            c.writeAndFlush(RespWriter.error(c.alloc(), "NOAUTH Authentication required."));
            return;
        }
        String who = String.valueOf(c.channel().remoteAddress());
        String name = words.get(0).toUpperCase(java.util.Locale.ROOT);
        boolean changes = !commands.readOnly(words);
        (changes ? executor : readExecutor).execute(() -> {
            if (changes) {
                log.info("admin command from {}: {}", who.isEmpty() || who.equals("null") ? "admin socket" : who,
                        loggable(words));
            }
            AdminReply reply;
            try {
                reply = commands.run(ctx, words);
            } catch (Exception | Error e) { // whatever happens, the console gets an answer
                log.error("admin command {} failed", name, e);
                reply = AdminReply.error(e.toString());
            }
            if (changes) {
                log.info("admin command {} answered: {}", name, reply.text());
            }
            Runnable after = reply.after();
            c.writeAndFlush(encode(c, reply)).addListener(f -> {
                if (after != null) {
                    new Thread(after, "resplit-admin-" + name.toLowerCase(java.util.Locale.ROOT)).start();
                }
            });
        });
    }

    /** The command as logged: values of password directives are not written to the log. */
    private static String loggable(List<String> words) {
        if (words.size() >= 3 && words.get(0).equalsIgnoreCase("CONFIG")
                && (words.get(2).toLowerCase(java.util.Locale.ROOT).contains("pass")
                || words.get(2).toLowerCase(java.util.Locale.ROOT).contains("auth"))) {
            return String.join(" ", words.subList(0, 3)) + " (value not logged)";
        }
        return String.join(" ", words);
    }

    private static ByteBuf encode(ChannelHandlerContext c, AdminReply reply) {
        return switch (reply.kind()) {
            case STATUS -> RespWriter.simple(c.alloc(), reply.text());
            case TEXT -> RespWriter.bulk(c.alloc(), reply.text());
            case INTEGER -> RespWriter.integer(c.alloc(), Long.parseLong(reply.text()));
            case ERROR -> RespWriter.error(c.alloc(), reply.text());
            case ARRAY -> {
                ByteBuf out = c.alloc().buffer();
                writeItem(out, reply.items());
                yield out;
            }
        };
    }

    private static void writeItem(ByteBuf out, Object item) {
        if (item instanceof List<?> list) {
            RespWriter.writeArrayHeader(out, list.size());
            for (Object o : list) {
                writeItem(out, o);
            }
        } else if (item instanceof byte[] bytes) {
            RespWriter.writeBulk(out, bytes);
        } else if (item instanceof Number n) {
            RespWriter.writeInteger(out, n.longValue());
        } else {
            RespWriter.writeBulk(out, String.valueOf(item));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        c.close();
    }
}
