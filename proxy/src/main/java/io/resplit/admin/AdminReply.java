package io.resplit.admin;

/** What an admin command answers: a status, a text (bulk string), an integer, or an error. */
record AdminReply(Kind kind, String text) {
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
