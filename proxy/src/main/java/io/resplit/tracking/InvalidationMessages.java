package io.resplit.tracking;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.resp.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of client-side caching, as Redis writes them: to a RESP3 client a push {@code invalidate} with the
 * keys (or null: everything), to a RESP2 client subscribed to {@code __redis__:invalidate} (a REDIRECT target) a
 * Pub/Sub message on that channel; and the parser for what a node's feed sends.
 */
public final class InvalidationMessages {
    public static final String CHANNEL = "__redis__:invalidate";
    private static final byte[] PUSH_OF_TWO = ">2\r\n".getBytes(StandardCharsets.US_ASCII);

    private InvalidationMessages() {
    }

    /** An invalidation of {@code keys} (null: of everything) for a client speaking {@code protocol}. */
    public static ByteBuf invalidate(ByteBufAllocator alloc, List<byte[]> keys, int protocol) {
        ByteBuf b = alloc.buffer(64);
        if (protocol >= 3) {
            b.writeBytes(PUSH_OF_TWO);
            RespWriter.writeBulk(b, "invalidate");
        } else {
            RespWriter.writeArrayHeader(b, 3);
            RespWriter.writeBulk(b, "message");
            RespWriter.writeBulk(b, CHANNEL);
        }
        if (keys == null) {
            RespWriter.writeNull(b, protocol);
        } else {
            RespWriter.writeArrayHeader(b, keys.size());
            for (byte[] k : keys) {
                RespWriter.writeBulk(b, k);
            }
        }
        return b;
    }

    /** Redis's push to a RESP3 client whose REDIRECT target has gone. */
    public static ByteBuf redirectBroken(ByteBufAllocator alloc, long redirectId) {
        ByteBuf b = alloc.buffer(48);
        b.writeBytes(PUSH_OF_TWO);
        RespWriter.writeBulk(b, "tracking-redir-broken");
        RespWriter.writeInteger(b, redirectId);
        return b;
    }

    /** What a feed frame says. */
    sealed interface FeedMessage permits Keys, Flush, Other {
    }

    /** Keys changed. */
    record Keys(List<byte[]> keys) implements FeedMessage {
    }

    /** Everything changed (FLUSHALL, FLUSHDB). */
    record Flush() implements FeedMessage {
    }

    /** Not an invalidation (a reply, another push). */
    record Other() implements FeedMessage {
    }

    /**
     * Reads one frame of a feed: {@code >2 $10 invalidate *N $k...} or {@code >2 $10 invalidate _}. Keys are kept
     * as bytes: they need not be text.
     */
    static FeedMessage parse(ByteBuf frame) {
        int i = frame.readerIndex();
        if (frame.getByte(i) != '>') {
            return new Other();
        }
        Cursor c = new Cursor(frame, i);
        if (c.line() != 2 || c.type != '>') {
            return new Other();
        }
        byte[] kind = c.bulk();
        if (kind == null || !"invalidate".equals(new String(kind, StandardCharsets.US_ASCII))) {
            return new Other();
        }
        char t = (char) frame.getByte(c.pos);
        if (t == '_' || (t == '$' || t == '*') && frame.getByte(c.pos + 1) == '-') {
            return new Flush();
        }
        long n = c.line();
        List<byte[]> keys = new ArrayList<>((int) Math.min(n, 1024));
        for (long k = 0; k < n; k++) {
            keys.add(c.bulk());
        }
        return new Keys(keys);
    }

    /** Walks a frame's header lines and bulk strings. */
    private static final class Cursor {
        private final ByteBuf b;
        int pos;
        char type;

        Cursor(ByteBuf b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        /** Reads a header line ({@code <type><number>\r\n}); returns the number. */
        long line() {
            type = (char) b.getByte(pos);
            int cr = b.indexOf(pos, b.writerIndex(), (byte) '\r');
            long n = Long.parseLong(b.toString(pos + 1, cr - pos - 1, StandardCharsets.US_ASCII));
            pos = cr + 2;
            return n;
        }

        byte[] bulk() {
            long len = line();
            if (type != '$' || len < 0) {
                return null;
            }
            byte[] out = new byte[(int) len];
            b.getBytes(pos, out);
            pos += (int) len + 2;
            return out;
        }
    }
}
