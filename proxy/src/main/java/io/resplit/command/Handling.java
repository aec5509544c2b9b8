package io.resplit.command;

/** How the proxy treats a command; derived once per spec from Redis's flags and the proxy's policy file. */
public enum Handling {
    /** Answered by the proxy itself (connection state such as AUTH, SELECT, HELLO, CLIENT SETNAME). */
    LOCAL,
    /** Read-only per Redis's flags: may be served by a healthy replica. */
    READ,
    /** Writes, unflagged and unknown commands: always the master. */
    MASTER,
    /** Not carried through the proxy; answered with the spec's note as an error. */
    REFUSED
}
