package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Fixed replies, encoded once; each use takes a duplicate that shares the never-released bytes. */
final class Replies {
    private static final ByteBuf OK = canned("+OK\r\n");
    private static final ByteBuf PONG = canned("+PONG\r\n");
    private static final ByteBuf NOAUTH = canned("-NOAUTH Authentication required.\r\n");
    private static final ByteBuf WRONGPASS =
            canned("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    private static final ByteBuf MAX_CLIENTS = canned("-ERR max number of clients reached\r\n");

    private Replies() {
    }

    static ByteBuf ok() {
        return OK.duplicate();
    }

    static ByteBuf pong() {
        return PONG.duplicate();
    }

    static ByteBuf noAuth() {
        return NOAUTH.duplicate();
    }

    static ByteBuf wrongPass() {
        return WRONGPASS.duplicate();
    }

    static ByteBuf maxClients() {
        return MAX_CLIENTS.duplicate();
    }

    private static ByteBuf canned(String s) {
        return Unpooled.unreleasableBuffer(
                Unpooled.directBuffer().writeBytes(s.getBytes(StandardCharsets.US_ASCII)).asReadOnly());
    }
}
