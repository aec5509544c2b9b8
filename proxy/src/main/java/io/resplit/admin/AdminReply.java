package io.resplit.admin;

/**
 * What an admin command answers: a status, a text (bulk string), an integer, or an error; {@code after}, if
 * set, runs on a thread of its own once the reply has been written (SHUTDOWN).
 */
record AdminReply(Kind kind, String text, Runnable after) {
    AdminReply(Kind kind, String text) {
        this(kind, text, null);
    }

    enum Kind { STATUS, TEXT, INTEGER, ERROR }

    static AdminReply ok() {
        return new AdminReply(Kind.STATUS, "OK");
    }

    static AdminReply text(String text) {
        return new AdminReply(Kind.TEXT, text);
    }

    static AdminReply error(String text) {
        return new AdminReply(Kind.ERROR, text.startsWith("ERR ") ? text : "ERR " + text);
    }
}
