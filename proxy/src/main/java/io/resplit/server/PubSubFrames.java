package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.resp.RespWriter;
import java.nio.charset.StandardCharsets;

/**
 * The frames of a subscriber connection that the proxy looks into or writes itself: the kind of a push (its
 * first element), a shard channel's confirmation with the count over every node, and PING's answer in RESP2's
 * subscribed mode. Everything else passes through unread.
 */
final class PubSubFrames {
    private PubSubFrames() {
    }

    /** The first element of an array frame as text when it is a short bulk string (the push kind), else null. */
    static String kind(ByteBuf frame) {
        int start = frame.readerIndex();
        if (frame.getByte(start) != '*' && frame.getByte(start) != '>') {
            return null;
        }
        int nl = frame.indexOf(start, frame.writerIndex(), (byte) '\n');
        if (nl < 0 || nl + 1 >= frame.writerIndex() || frame.getByte(nl + 1) != '$') {
            return null;
        }
        int nl2 = frame.indexOf(nl + 1, frame.writerIndex(), (byte) '\n');
        int len = Integer.parseInt(frame.toString(nl + 2, nl2 - 1 - (nl + 2), StandardCharsets.US_ASCII));
        return len > 16 ? null : frame.toString(nl2 + 1, len, StandardCharsets.US_ASCII);
    }

    /**
     * A node's {@code kind} (ssubscribe, sunsubscribe) confirmation of {@code name} (null: none was left), written
     * again with {@code count} shard channels, the client's over every node.
     *
     * @param type '*' (RESP2) or '>' (a RESP3 push), as the node's confirmation had it
     */
    static ByteBuf shardConfirmation(ByteBufAllocator alloc, byte type, String kind, String name, int protocol,
                                     int count) {
        ByteBuf out = alloc.buffer(32 + (name == null ? 0 : name.length() * 3));
        out.writeByte(type);
        out.writeBytes("3\r\n".getBytes(StandardCharsets.US_ASCII));
        RespWriter.writeBulk(out, kind);
        if (name == null) {
            RespWriter.writeNull(out, protocol);
        } else {
            RespWriter.writeBulk(out, name.getBytes(StandardCharsets.UTF_8));
        }
        RespWriter.writeInteger(out, count);
        return out;
    }

    /** PING's answer in RESP2's subscribed mode: {@code ["pong", message]}. */
    static ByteBuf subscribedPong(ByteBufAllocator alloc, byte[] message) {
        ByteBuf b = alloc.buffer();
        RespWriter.writeArrayHeader(b, 2);
        RespWriter.writeBulk(b, "pong");
        RespWriter.writeBulk(b, message);
        return b;
    }
}
