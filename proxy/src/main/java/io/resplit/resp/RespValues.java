package io.resplit.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one whole reply into plain Java values, for the control plane only (INFO, COMMAND, handshakes):
 * simple strings and bulk strings become {@link String}, integers {@link Long}, errors {@link Error}, arrays,
 * sets, pushes and maps {@link List} (maps flattened key, value, ...), nulls {@code null}. Never used per request.
 */
public final class RespValues {
    /** An error reply, e.g. {@code WRONGPASS invalid username-password pair ...}. */
    public record Error(String message) {
    }

    private RespValues() {
    }

    /** Decodes the reply at the reader index of {@code frame}, advancing past it. */
    public static Object read(ByteBuf frame) {
        byte type = frame.readByte();
        String line = readLine(frame);
        switch (type) {
            case '+':
                return line;
            case '-':
                return new Error(line);
            case ':':
                return Long.parseLong(line);
            case '$':
            case '=':
            case '!': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                String s = frame.toString(frame.readerIndex(), len, StandardCharsets.UTF_8);
                frame.skipBytes(len + 2);
                return type == '!' ? new Error(s) : s;
            }
            case '*':
            case '~':
            case '>':
            case '%': {
                long n = Long.parseLong(line);
                if (n < 0) {
                    return null;
                }
                if (type == '%') {
                    n *= 2;
                }
                List<Object> items = new ArrayList<>((int) n);
                for (long i = 0; i < n; i++) {
                    items.add(read(frame));
                }
                return items;
            }
            case '_':
                return null;
            case '#':
                return "t".equals(line);
            case ',':
            case '(':
                return line;
            default:
                throw new IllegalArgumentException("unknown RESP type " + (char) type);
        }
    }

    private static String readLine(ByteBuf frame) {
        int cr = frame.indexOf(frame.readerIndex(), frame.writerIndex(), (byte) '\r');
        String s = frame.toString(frame.readerIndex(), cr - frame.readerIndex(), StandardCharsets.UTF_8);
        frame.readerIndex(cr + 2);
        return s;
    }
}
