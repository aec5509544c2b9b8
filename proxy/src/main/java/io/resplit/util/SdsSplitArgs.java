package io.resplit.util;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line into arguments exactly as Redis's {@code sdssplitargs} does, for inline requests and config
 * lines alike: blanks separate words; "double quotes" take {@code \n \r \t \b \a \xHH} escapes; 'single
 * quotes' only {@code \'}; quotes may start mid-word; a closing quote must be followed by a blank or the end;
 * a NUL byte ends the line (Redis works on C strings).
 */
public final class SdsSplitArgs {
    private SdsSplitArgs() {
    }

    /** The arguments, or null when quotes are unbalanced (Redis's error case). */
    public static List<byte[]> split(byte[] line) {
        List<byte[]> args = new ArrayList<>();
        int p = 0;
        while (true) {
            while (at(line, p) != 0 && isSpace(at(line, p))) {
                p++;
            }
            if (at(line, p) == 0) {
                return args;
            }
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            while (!done) {
                int c = at(line, p);
                if (inq) {
                    if (c == '\\' && at(line, p + 1) == 'x' && isHex(at(line, p + 2)) && isHex(at(line, p + 3))) {
                        cur.write(hex(at(line, p + 2)) * 16 + hex(at(line, p + 3)));
                        p += 3;
                    } else if (c == '\\' && at(line, p + 1) != 0) {
                        p++;
                        cur.write(unescape(at(line, p)));
                    } else if (c == '"') {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1))) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        cur.write(c);
                    }
                } else if (insq) {
                    if (c == '\\' && at(line, p + 1) == '\'') {
                        p++;
                        cur.write('\'');
                    } else if (c == '\'') {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1))) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        cur.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inq = true;
                        case '\'' -> insq = true;
                        default -> cur.write(c);
                    }
                }
                if (at(line, p) != 0) {
                    p++;
                }
            }
            args.add(cur.toByteArray());
        }
    }

    /** The byte at {@code i} as 0..255, or 0 past the end (the C string's terminator). */
    private static int at(byte[] line, int i) {
        return i < line.length ? line[i] & 0xff : 0;
    }

    /** C's isspace(). */
    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(int c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    private static int unescape(int c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> c;
        };
    }
}
