package io.resplit.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * One client request: the exact multibulk bytes the client sent, where they lie in the client's input buffer.
 * Parsing happens once, in the decoder; backends receive these bytes unchanged.
 *
 * <p>No table of argument offsets is kept per request: the decoder hands over where the first argument lies, and
 * any later one is found by reading the bulk headers from the argument last located (a few bytes each; the
 * decoder has checked them already). The usual accesses (the command name, then a key or two, each as offset and
 * length) are then one step each. Not thread-safe: a request is used by one event loop at a time.
 *
 * <p>Ownership: the object holds one reference to the buffer its bytes lie in (the decoder's input buffer, which
 * Netty's cumulator never moves or compacts while it is not the only holder, though it may append after the
 * request's bytes; or a buffer of its own). No slice object
 * is made per request: a request is 40 bytes instead of 32 plus a 40-byte slice. Whoever holds the request last
 * calls {@link #release()}; a backend connection copies the bytes without a reference of its
 * own, and writers that hand the bytes to a channel take one with {@link #retainedFrame()}.
 */
public final class RespRequest {
    private final ByteBuf buf;
    private final int start; // the frame: buf[start, start + length)
    private final int length;
    private final int argc;
    // the argument last located: its index, and its offset (in buf) and length
    private int at;
    private int atOffset;
    private int atLength;

    /** Takes over one reference to {@code buf}; offsets are indexes in {@code buf}. */
    RespRequest(ByteBuf buf, int start, int length, int argc, int firstOffset, int firstLength) {
        this.buf = buf;
        this.start = start;
        this.length = length;
        this.argc = argc;
        this.atOffset = firstOffset;
        this.atLength = firstLength;
    }

    /** Builds a request from plain arguments (inline commands, tests, the proxy's own commands). */
    public static RespRequest of(io.netty.buffer.ByteBufAllocator alloc, byte[]... args) {
        ByteBuf buf = alloc.buffer();
        RespWriter.writeArrayHeader(buf, args.length);
        int firstOffset = -1;
        for (int i = 0; i < args.length; i++) {
            RespWriter.writeBulkHeader(buf, args[i].length);
            if (i == 0) {
                firstOffset = buf.writerIndex();
            }
            buf.writeBytes(args[i]).writeShort(RespWriter.CRLF_SHORT);
        }
        return new RespRequest(buf, 0, buf.writerIndex(), args.length, firstOffset,
                args.length == 0 ? 0 : args[0].length);
    }

    public static RespRequest of(io.netty.buffer.ByteBufAllocator alloc, String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return of(alloc, bytes);
    }

    public int argc() {
        return argc;
    }

    /** Where the request starts in {@link #bytes()}. */
    public int start() {
        return start;
    }

    /** Size of the request in bytes, as received. */
    public int length() {
        return length;
    }

    /**
     * The buffer the request lies in, which {@link #argOffset} indexes; not retained for the caller, and holding
     * other bytes besides (read only the offsets given here).
     */
    public ByteBuf bytes() {
        return buf;
    }

    /**
     * The whole request as received, as a view with indexes of its own that shares the request's reference:
     * releasing it releases the request (for handing the request's only reference to a writer). Allocates a
     * view; the hot path copies from {@link #bytes()} instead.
     */
    public ByteBuf frame() {
        return buf.slice(start, length);
    }

    /**
     * A new reference to the request bytes, for a channel write (which releases it): a slice of the whole frame
     * with indexes of its own.
     */
    public ByteBuf retainedFrame() {
        return buf.retainedSlice(start, length);
    }

    /** Where argument {@code i} starts in {@link #bytes()}. */
    public int argOffset(int i) {
        locate(i);
        return atOffset;
    }

    public int argLength(int i) {
        locate(i);
        return atLength;
    }

    /**
     * Makes argument {@code i} the one last located, reading bulk headers ({@code $<len>\r\n<data>\r\n}) forward
     * from the one last located, or from the first when {@code i} lies before it.
     */
    private void locate(int i) {
        if (i == at && i < argc) {
            return;
        }
        if (i < 0 || i >= argc) {
            throw new IndexOutOfBoundsException("argument " + i + " of " + argc);
        }
        int index;
        int header;
        if (i > at) {
            index = at + 1;
            header = atOffset + atLength + 2;
        } else {
            index = 0;
            header = buf.indexOf(start + 1, start + length, (byte) '\r') + 2; // after "*<argc>\r\n"
        }
        while (true) {
            int cr = buf.indexOf(header + 1, start + length, (byte) '\r');
            int len = (int) Ascii.parseLongOr(buf, header + 1, cr - header - 1, -1);
            int off = cr + 2;
            if (index == i) {
                at = i;
                atOffset = off;
                atLength = len;
                return;
            }
            header = off + len + 2;
            index++;
        }
    }

    /** A view of argument {@code i}; not retained, valid while this request is. */
    public ByteBuf arg(int i) {
        return buf.slice(argOffset(i), argLength(i));
    }

    public byte[] argBytes(int i) {
        byte[] out = new byte[argLength(i)];
        buf.getBytes(argOffset(i), out);
        return out;
    }

    public String argString(int i) {
        return buf.toString(argOffset(i), argLength(i), StandardCharsets.UTF_8);
    }

    /** Case-insensitive comparison with an ASCII word given in lower case. */
    public boolean argIs(int i, String lowerAscii) {
        int len = argLength(i);
        if (len != lowerAscii.length()) {
            return false;
        }
        int off = argOffset(i);
        for (int k = 0; k < len; k++) {
            if (Ascii.toLower(buf.getByte(off + k)) != lowerAscii.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Argument {@code i} as a signed 64-bit integer in Redis's strict form, or {@code null} when it is not one
     * (so callers can answer with Redis's "value is not an integer" error).
     */
    public Long argLong(int i) {
        return Ascii.parseLong(buf, argOffset(i), argLength(i));
    }

    public void release() {
        buf.release();
    }
}
