package io.resplit.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * One client request: the exact multibulk bytes the client sent (a retained slice of its input) plus where each
 * argument lies inside them. Parsing happens once; backends receive {@link #frame()} unchanged.
 *
 * <p>Ownership: the object holds one reference to {@code frame}. Whoever holds the request last calls
 * {@link #release()}; writers take their own reference with {@link #retainedFrame()}.
 */
public final class RespRequest {
    private final ByteBuf frame;
    private final int[] offsets; // start, length pairs relative to frame's index 0
    private final int argc;

    RespRequest(ByteBuf frame, int[] offsets, int argc) {
        this.frame = frame;
        this.offsets = offsets;
        this.argc = argc;
    }

    /** Builds a request from plain arguments (inline commands, tests, the proxy's own commands). */
    public static RespRequest of(io.netty.buffer.ByteBufAllocator alloc, byte[]... args) {
        ByteBuf buf = alloc.buffer();
        RespWriter.writeArrayHeader(buf, args.length);
        int[] offsets = new int[args.length * 2];
        for (int i = 0; i < args.length; i++) {
            RespWriter.writeBulkHeader(buf, args[i].length);
            offsets[2 * i] = buf.writerIndex();
            offsets[2 * i + 1] = args[i].length;
            buf.writeBytes(args[i]).writeShort(RespWriter.CRLF_SHORT);
        }
        return new RespRequest(buf, offsets, args.length);
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

    /** The whole request as received; not retained for the caller. */
    public ByteBuf frame() {
        return frame;
    }

    /** A new reference to the request bytes, for a channel write (which releases it). */
    public ByteBuf retainedFrame() {
        return frame.retainedDuplicate();
    }

    public int argOffset(int i) {
        return offsets[2 * i];
    }

    public int argLength(int i) {
        return offsets[2 * i + 1];
    }

    /** A view of argument {@code i}; not retained, valid while this request is. */
    public ByteBuf arg(int i) {
        return frame.slice(argOffset(i), argLength(i));
    }

    public byte[] argBytes(int i) {
        byte[] out = new byte[argLength(i)];
        frame.getBytes(argOffset(i), out);
        return out;
    }

    public String argString(int i) {
        return frame.toString(argOffset(i), argLength(i), StandardCharsets.UTF_8);
    }

    /** Case-insensitive comparison with an ASCII word given in lower case. */
    public boolean argIs(int i, String lowerAscii) {
        int len = argLength(i);
        if (len != lowerAscii.length()) {
            return false;
        }
        int off = argOffset(i);
        for (int k = 0; k < len; k++) {
            if (Ascii.toLower(frame.getByte(off + k)) != lowerAscii.charAt(k)) {
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
        return Ascii.parseLong(frame, argOffset(i), argLength(i));
    }

    public void release() {
        frame.release();
    }
}
