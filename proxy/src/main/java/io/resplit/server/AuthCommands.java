package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;

/**
 * AUTH and HELLO against the proxy's own users ({@code requirepass} is the default user's password; the backends
 * never see a client's credentials).
 * Replies use Redis's wording; no error ever echoes an argument that may hold a password.
 */
final class AuthCommands {
    private final ProxyContext ctx;

    AuthCommands(ProxyContext ctx) {
        this.ctx = ctx;
    }

    void auth(ClientHandler c, RespRequest r) {
        if (r.argc() > 3) {
            c.reply(LocalCommands.error(c, "ERR syntax error"));
            return;
        }
        io.resplit.acl.Acl acl = ctx.runtime().acl();
        if (r.argc() == 2 && acl.defaultUser().nopass()) {
            c.reply(LocalCommands.error(c, "ERR AUTH <password> called without any password configured for the "
                    + "default user. Are you sure your configuration is correct?"));
            return;
        }
        io.resplit.acl.Acl.Permissions user = r.argc() == 2 ? acl.authenticate(io.resplit.acl.Acl.DEFAULT_USER,
                r.argBytes(1)) : acl.authenticate(r.argString(1), r.argBytes(2));
        if (user != null) {
            c.authenticated(user, acl.version());
            c.reply(Replies.ok());
        } else {
            ctx.metrics().authFailures().increment();
            c.reply(Replies.wrongPass());
        }
    }

    /** HELLO [protover [AUTH username password] [SETNAME clientname]]. */
    void hello(ClientHandler c, RespRequest r) {
        int protocol = c.session().protocol();
        if (r.argc() >= 2) {
            Long ver = r.argLong(1);
            if (ver == null) {
                c.reply(LocalCommands.error(c, "ERR Protocol version is not an integer or out of range"));
                return;
            }
            if (ver < 2 || ver > 3) {
                c.reply(LocalCommands.error(c, "NOPROTO unsupported protocol version"));
                return;
            }
            protocol = (int) (long) ver;
        }
        String user = null;
        byte[] password = null;
        String setName = null;
        for (int i = 2; i < r.argc(); i++) {
            boolean more = r.argc() - i - 1 > 0;
            if (r.argIs(i, "auth") && r.argc() - i - 1 >= 2) {
                user = r.argString(i + 1);
                password = r.argBytes(i + 2);
                i += 2;
            } else if (r.argIs(i, "setname") && more) {
                setName = r.argString(i + 1);
                i += 1;
            } else {
                // unlike Redis, the option is not echoed: a misplaced argument may be a password
                c.reply(LocalCommands.error(c, "ERR Syntax error in HELLO option"));
                return;
            }
        }
        if (!c.session().authenticated() && password == null) {
            c.reply(LocalCommands.error(c, "NOAUTH HELLO must be called with the client already authenticated, "
                    + "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client "
                    + "and select the RESP protocol version at the same time"));
            return;
        }
        if (password != null) {
            io.resplit.acl.Acl acl = ctx.runtime().acl();
            io.resplit.acl.Acl.Permissions who = acl.authenticate(user, password);
            if (who == null) {
                ctx.metrics().authFailures().increment();
                c.reply(Replies.wrongPass());
                return;
            }
            c.authenticated(who, acl.version());
        }
        if (setName != null) {
            if (!ClientCommand.validName(setName)) {
                c.reply(LocalCommands.error(c, ClientCommand.BAD_NAME));
                return;
            }
            c.session().name(setName.isEmpty() ? null : setName);
        }
        c.session().protocol(protocol);
        c.reply(helloReply(c));
    }

    private ByteBuf helloReply(ClientHandler c) {
        ByteBuf b = c.channel().alloc().buffer(160);
        RespWriter.writeMapHeader(b, 7, c.session().protocol());
        RespWriter.writeBulk(b, "server");
        RespWriter.writeBulk(b, "redis");
        RespWriter.writeBulk(b, "version");
        RespWriter.writeBulk(b, ctx.runtime().backendVersion());
        RespWriter.writeBulk(b, "proto");
        RespWriter.writeInteger(b, c.session().protocol());
        RespWriter.writeBulk(b, "id");
        RespWriter.writeInteger(b, c.session().id());
        RespWriter.writeBulk(b, "mode");
        RespWriter.writeBulk(b, "standalone");
        RespWriter.writeBulk(b, "role");
        RespWriter.writeBulk(b, "master");
        RespWriter.writeBulk(b, "modules");
        RespWriter.writeArrayHeader(b, 0);
        return b;
    }

}
