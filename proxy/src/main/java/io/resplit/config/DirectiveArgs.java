package io.resplit.config;

import java.util.List;
import java.util.Locale;

/**
 * A directive's arguments read as the value they stand for: a count, a number in range, a size in Redis's memory
 * units, a host and port, yes/no, one of a set of words. Each throws IllegalArgumentException with the reason,
 * which the parser turns into Redis's error for the line.
 */
final class DirectiveArgs {
    private DirectiveArgs() {
    }

    static String one(List<String> a) {
        if (a.size() != 1) {
            throw new IllegalArgumentException("Bad directive or wrong number of arguments");
        }
        return a.get(0);
    }

    static void atLeast(List<String> a, int n) {
        if (a.size() < n) {
            throw new IllegalArgumentException("Bad directive or wrong number of arguments");
        }
    }

    static HostPort hostPort(List<String> a) {
        if (a.size() != 2) {
            throw new IllegalArgumentException("Bad directive or wrong number of arguments (expected: host port)");
        }
        return new HostPort(a.get(0), intIn(a.get(1), 1, 65535));
    }

    static int intIn(String s, int min, int max) {
        return (int) longIn(s, min, max);
    }

    static long longIn(String s, long min, long max) {
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument must be a number, got '" + s + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("argument must be between " + min + " and " + max);
        }
        return v;
    }

    /** Redis's memory units: 1k = 1000, 1kb = 1024, likewise m/mb and g/gb; case-insensitive. */
    static long size(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        long mul = 1;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"},
                {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (lower.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                lower = lower.substring(0, lower.length() - u[0].length());
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(lower), mul);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("argument must be a memory value, got '" + s + "'");
        }
    }

    static long sizeIn(String s, long min, long max) {
        long v = size(s);
        if (v < min || v > max) {
            throw new IllegalArgumentException("argument must be between " + min + " and " + max + " bytes");
        }
        return v;
    }

    static <E extends Enum<E>> E enumOf(Class<E> type, String s) {
        try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("argument must be one of "
                    + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
    }

    /** One of {@code choices}, in any case, returned in lower case. */
    static String oneOf(String value, String... choices) {
        for (String c : choices) {
            if (c.equalsIgnoreCase(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("argument must be one of " + String.join(", ", choices));
    }

    static boolean yesNo(String s) {
        if (s.equalsIgnoreCase("yes")) {
            return true;
        }
        if (s.equalsIgnoreCase("no")) {
            return false;
        }
        throw new IllegalArgumentException("argument must be 'yes' or 'no'");
    }

    /** An empty argument ({@code ""}) unsets a setting. */
    static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
