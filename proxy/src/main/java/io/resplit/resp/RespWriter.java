package io.resplit.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Encodes the replies the proxy produces itself (RESP2 forms; RESP3 adds its own when it lands). */
public final class RespWriter {
    static final short CRLF_SHORT = ('\r' << 8) | '\n';

    private RespWriter() {
    }

    public static ByteBuf simple(ByteBufAllocator alloc, String text) {
        return line(alloc.buffer(text.length() + 3), '+', text);
    }

    /** An error reply; {@code text} starts with the error code, e.g. {@code "ERR ..."} or {@code "NOAUTH ..."}. */
    public static ByteBuf error(ByteBufAllocator alloc, String text) {
        return line(alloc.buffer(text.length() + 3), '-', sanitize(text));
    }

    public static ByteBuf integer(ByteBufAllocator alloc, long value) {
        ByteBuf buf = alloc.buffer(24);
        writeNumberLine(buf, ':', value);
        return buf;
    }

    public static ByteBuf bulk(ByteBufAllocator alloc, byte[] value) {
        ByteBuf buf = alloc.buffer(value.length + 16);
        writeBulk(buf, value);
        return buf;
    }

    public static ByteBuf bulk(ByteBufAllocator alloc, String value) {
        return bulk(alloc, value.getBytes(StandardCharsets.UTF_8));
    }

    public static ByteBuf nullBulk(ByteBufAllocator alloc) {
        return alloc.buffer(5).writeBytes(NULL_BULK);
    }

    /** The null reply in the client's protocol: {@code $-1} in RESP2, {@code _} in RESP3. */
    public static ByteBuf nullReply(ByteBufAllocator alloc, int protocol) {
        return protocol >= 3 ? alloc.buffer(3).writeBytes(NULL_RESP3) : nullBulk(alloc);
    }

    /** Redis's addReplyNull inside a larger reply: {@code $-1} in RESP2, {@code _} in RESP3. */
    public static void writeNull(ByteBuf buf, int protocol) {
        buf.writeBytes(protocol >= 3 ? NULL_RESP3 : NULL_BULK);
    }

    /** A map of {@code pairs} entries: {@code %n} in RESP3, a flat array of 2n elements in RESP2. */
    public static void writeMapHeader(ByteBuf buf, long pairs, int protocol) {
        if (protocol >= 3) {
            writeNumberLine(buf, '%', pairs);
        } else {
            writeArrayHeader(buf, pairs * 2);
        }
    }

    /** A set of {@code count} elements: {@code ~n} in RESP3, an array in RESP2. */
    public static void writeSetHeader(ByteBuf buf, long count, int protocol) {
        writeNumberLine(buf, protocol >= 3 ? '~' : '*', count);
    }

    /** A verbatim text string in RESP3 ({@code =len txt:...}), a bulk string in RESP2. */
    public static ByteBuf verbatim(ByteBufAllocator alloc, String text, int protocol) {
        if (protocol < 3) {
            return bulk(alloc, text);
        }
        byte[] bytes = ("txt:" + text).getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = alloc.buffer(bytes.length + 16);
        writeNumberLine(buf, '=', bytes.length);
        return buf.writeBytes(bytes).writeShort(CRLF_SHORT);
    }

    public static void writeBulk(ByteBuf buf, byte[] value) {
        writeBulkHeader(buf, value.length);
        buf.writeBytes(value).writeShort(CRLF_SHORT);
    }

    public static void writeBulk(ByteBuf buf, String value) {
        writeBulk(buf, value.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeSimple(ByteBuf buf, String value) {
        line(buf, '+', value);
    }

    public static void writeInteger(ByteBuf buf, long value) {
        writeNumberLine(buf, ':', value);
    }

    public static void writeArrayHeader(ByteBuf buf, long count) {
        writeNumberLine(buf, '*', count);
    }

    public static void writeBulkHeader(ByteBuf buf, long length) {
        writeNumberLine(buf, '$', length);
    }

    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_RESP3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);

    private static void writeNumberLine(ByteBuf buf, char type, long value) {
        buf.writeByte(type);
        buf.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
        buf.writeShort(CRLF_SHORT);
    }

    private static ByteBuf line(ByteBuf buf, char type, String text) {
        buf.writeByte(type);
        buf.writeCharSequence(text, StandardCharsets.UTF_8);
        buf.writeShort(CRLF_SHORT);
        return buf;
    }

    /** Error and status lines may not contain newlines; Redis replaces them with spaces too. */
    private static String sanitize(String text) {
        return text.indexOf('\r') < 0 && text.indexOf('\n') < 0 ? text : text.replace('\r', ' ').replace('\n', ' ');
    }
}
