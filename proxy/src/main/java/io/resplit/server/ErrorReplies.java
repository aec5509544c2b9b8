package io.resplit.server;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Error replies from Redis that the proxy acts on instead of passing them on, recognised by their code. */
enum ErrorReplies {
    /** The node stopped being master: the write did not run and can go to the new master. */
    READONLY("-READONLY"),
    /**
     * A blocked command released because its master became a replica: it can block again elsewhere. Only this
     * text: Redis also answers UNBLOCKED when a stream a client blocks on is deleted, or for CLIENT UNBLOCK ...
     * ERROR, and those go to the client as they are.
     */
    UNBLOCKED("-UNBLOCKED force unblock from blocking operation, instance state changed"),
    /** The node lacks a script: the proxy loads it if it has seen the body. */
    NOSCRIPT("-NOSCRIPT"),
    /** A multi-key request whose keys a slot migration has split: it did not run; it may be sent again later. */
    TRYAGAIN("-TRYAGAIN");

    private final byte[] prefix;

    ErrorReplies(String prefix) {
        this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether the reply in {@code frame} is this error. */
    boolean starts(ByteBuf frame) {
        if (frame.readableBytes() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (frame.getByte(frame.readerIndex() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
