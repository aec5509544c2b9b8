package io.resplit.resp;

import io.netty.buffer.ByteBuf;

/** Finds where one RESP2/RESP3 value ends in a buffer that holds it whole (control plane, not the hot path). */
public final class RespFrames {
    private RespFrames() {
    }

    /** The length in bytes of the value starting at {@code index}, or -1 when the buffer ends before it does. */
    public static int length(ByteBuf buf, int index) {
        int end = end(buf, index);
        return end < 0 ? -1 : end - index;
    }

    /** The length of the type-and-length line at {@code index}, "\r\n" included (the header of a frame). */
    public static int lineLength(ByteBuf buf, int index) {
        int cr = buf.indexOf(index, buf.writerIndex(), (byte) '\r');
        if (cr < 0) {
            throw new IllegalArgumentException("no line end");
        }
        return cr + 2 - index;
    }

    private static int end(ByteBuf buf, int index) {
        if (index >= buf.writerIndex()) {
            return -1;
        }
        int cr = buf.indexOf(index, buf.writerIndex(), (byte) '\r');
        if (cr < 0 || cr + 1 >= buf.writerIndex()) {
            return -1;
        }
        int next = cr + 2;
        byte type = buf.getByte(index);
        long n = switch (type) {
            case '$', '!', '=', '*', '~', '>', '%', '|' -> {
                Long parsed = Ascii.parseLong(buf, index + 1, cr - index - 1);
                if (parsed == null) {
                    throw new IllegalArgumentException("malformed RESP length");
                }
                yield parsed;
            }
            default -> 0;
        };
        switch (type) {
            case '$', '!', '=' -> {
                if (n < 0) {
                    return next;
                }
                return (long) buf.writerIndex() - next < n + 2 ? -1 : next + (int) n + 2;
            }
            case '*', '~', '>', '%', '|' -> {
                long items = type == '%' ? 2 * n : type == '|' ? 2 * n + 1 : n;
                for (long i = 0; i < items; i++) {
                    next = end(buf, next);
                    if (next < 0) {
                        return -1;
                    }
                }
                return next;
            }
            default -> {
                return next;
            }
        }
    }
}
