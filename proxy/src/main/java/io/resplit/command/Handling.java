package io.resplit.command;

/** How the proxy treats a command; derived once per spec from Redis's flags and the proxy's policy file. */
public enum Handling {
    /** Answered by the proxy itself (connection state such as AUTH, SELECT, HELLO, CLIENT SETNAME). */
    LOCAL,
    /** Read-only per Redis's flags: may be served by a healthy replica. */
    READ,
    /** Writes, unflagged and unknown commands: always the master. */
    MASTER,
    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH: open or close a transaction on a connection pinned to the master. */
    TRANSACTION,
    /** (P|S)SUBSCRIBE and their UNSUBSCRIBE forms: the client's subscriber connection. */
    PUBSUB,
    /** May block: runs on a master connection of its own so it never stalls other clients. */
    BLOCKING,
    /** Changes or stops the server for everyone: the master only when {@code allow-admin-commands} allows it. */
    ADMIN,
    /** Not carried through the proxy; answered with the spec's note as an error. */
    REFUSED
}
