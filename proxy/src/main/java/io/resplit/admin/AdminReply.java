package io.resplit.admin;

import java.util.List;

/**
 * What an admin command answers: a status, a text (bulk string), an integer, an error, or an array (of
 * strings, byte arrays, longs and nested lists, like SLOWLOG GET's); {@code after}, if set, runs on a thread of
 * its own once the reply has been written (SHUTDOWN).
 */
record AdminReply(Kind kind, String text, List<?> items, Runnable after) {
    AdminReply(Kind kind, String text) {
        this(kind, text, null, null);
    }

    AdminReply(Kind kind, String text, Runnable after) {
        this(kind, text, null, after);
    }

    enum Kind { STATUS, TEXT, INTEGER, ERROR, ARRAY }

    static AdminReply ok() {
        return new AdminReply(Kind.STATUS, "OK");
    }

    static AdminReply text(String text) {
        return new AdminReply(Kind.TEXT, text);
    }

    static AdminReply integer(long value) {
        return new AdminReply(Kind.INTEGER, Long.toString(value));
    }

    static AdminReply array(List<?> items) {
        return new AdminReply(Kind.ARRAY, items.size() + " items", List.copyOf(items), null);
    }

    static AdminReply error(String text) {
        return new AdminReply(Kind.ERROR, text.startsWith("ERR ") ? text : "ERR " + text);
    }
}
