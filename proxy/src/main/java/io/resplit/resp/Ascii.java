package io.resplit.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/** Byte-level helpers shared by the framers; no allocation. */
public final class Ascii {
    /** Longest token copied into {@link #copyLower}'s scratch array (command names, numbers). */
    public static final int SCRATCH_SIZE = 64;

    // one bulk copy out of a (sliced, possibly leak-tracked) ByteBuf is far cheaper than a getByte per byte
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_SIZE];
        }
    };

    private Ascii() {
    }

    /**
     * Copies {@code len <= SCRATCH_SIZE} bytes into this thread's scratch array, lower-cased, and returns the
     * array (valid until the next call on this thread).
     */
    public static byte[] copyLower(ByteBuf buf, int off, int len) {
        byte[] scratch = SCRATCH.get();
        buf.getBytes(off, scratch, 0, len);
        for (int i = 0; i < len; i++) {
            byte b = scratch[i];
            if (b >= 'A' && b <= 'Z') {
                scratch[i] = (byte) (b + 32);
            }
        }
        return scratch;
    }

    public static int toLower(byte b) {
        return (b >= 'A' && b <= 'Z') ? b + 32 : b;
    }

    /**
     * Parses a decimal integer the way Redis's string2ll does: optional minus, no plus, no leading zeros, no
     * spaces, fits in a long. Returns null when the bytes are not such a number.
     */
    public static Long parseLong(ByteBuf buf, int off, int len) {
        long v = parseLongOr(buf, off, len, Long.MIN_VALUE);
        if (v != Long.MIN_VALUE) {
            return v;
        }
        return len == 20 && parseSlow(buf, off, len) != null ? Long.MIN_VALUE : null;
    }

    /**
     * As {@link #parseLong(ByteBuf, int, int)} without boxing, for the framers' hot path: {@code invalid} when
     * the bytes are not such a number (Long.MIN_VALUE itself is reported as invalid here; no length is that).
     * One to four digits, the usual case for argument counts and lengths, are read directly.
     */
    public static long parseLongOr(ByteBuf buf, int off, int len, long invalid) {
        if (len == 1) {
            int d = buf.getByte(off) - '0';
            return d >= 0 && d <= 9 ? d : invalid;
        }
        if (len == 2) {
            int d1 = buf.getByte(off) - '0';
            int d2 = buf.getByte(off + 1) - '0';
            if (d1 >= 1 && d1 <= 9 && d2 >= 0 && d2 <= 9) {
                return d1 * 10 + d2;
            }
            if (d1 == '-' - '0' && d2 >= 1 && d2 <= 9) {
                return -d2;
            }
            return invalid;
        }
        if (len == 3 || len == 4) {
            // a bulk length of 100 B to 9,999 B ($1024 for a 1 KiB value): read directly, no scratch copy and
            // no boxed Long (one allocation per request and per reply at these sizes otherwise)
            int v = buf.getByte(off) - '0';
            if (v >= 1 && v <= 9) {
                for (int i = 1; i < len; i++) {
                    int d = buf.getByte(off + i) - '0';
                    if (d < 0 || d > 9) {
                        return invalid;
                    }
                    v = v * 10 + d;
                }
                return v;
            }
            // a sign or a leading zero: the general rules below
        }
        Long v = parseSlow(buf, off, len);
        return v == null || v == Long.MIN_VALUE ? invalid : v;
    }

    private static Long parseSlow(ByteBuf buf, int off, int len) {
        if (len == 0 || len > 20) {
            return null;
        }
        byte[] digits = SCRATCH.get();
        buf.getBytes(off, digits, 0, len);
        return parseLong(digits, len);
    }

    private static Long parseLong(byte[] buf, int len) {
        int i = 0;
        int end = len;
        boolean negative = false;
        if (buf[i] == '-') {
            negative = true;
            i++;
            if (i == end) {
                return null;
            }
        }
        if (buf[i] == '0' && (end - i > 1 || negative)) {
            return null; // no leading zeros, and no "-0" (as Redis's string2ll)
        }
        long value = 0;
        for (; i < end; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // accumulate negatively so that Long.MIN_VALUE parses too
            if (value < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            value = value * 10 - d;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return null;
            }
            value = -value;
        }
        return value;
    }
}
