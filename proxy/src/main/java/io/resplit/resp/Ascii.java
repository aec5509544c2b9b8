package io.resplit.resp;

import io.netty.buffer.ByteBuf;

/** Byte-level helpers shared by the framers; no allocation. */
public final class Ascii {
    private Ascii() {
    }

    public static int toLower(byte b) {
        return (b >= 'A' && b <= 'Z') ? b + 32 : b;
    }

    /**
     * Parses a decimal integer the way Redis's string2ll does: optional minus, no plus, no leading zeros, no
     * spaces, fits in a long. Returns null when the bytes are not such a number.
     */
    public static Long parseLong(ByteBuf buf, int off, int len) {
        if (len == 0 || len > 20) {
            return null;
        }
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (buf.getByte(i) == '-') {
            negative = true;
            i++;
            if (i == end) {
                return null;
            }
        }
        if (buf.getByte(i) == '0' && (end - i > 1 || negative)) {
            return null; // no leading zeros, and no "-0" (as Redis's string2ll)
        }
        long value = 0;
        for (; i < end; i++) {
            int d = buf.getByte(i) - '0';
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
