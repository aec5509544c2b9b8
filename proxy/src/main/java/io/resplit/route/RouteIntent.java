package io.resplit.route;

/** Where a request should be served. */
public enum RouteIntent {
    /** The proxy answers it itself. */
    LOCAL,
    /** The master. */
    MASTER,
    /** A healthy, caught-up replica; the master when there is none. */
    REPLICA,
    /** MULTI/EXEC/DISCARD/WATCH/UNWATCH: the transaction logic decides. */
    TRANSACTION,
    /** Subscribe and unsubscribe commands: the client's subscriber connection. */
    PUBSUB,
    /** A command that may block: a dedicated master connection for its duration. */
    BLOCKING,
    /** Not carried; the client gets an error. */
    REFUSED
}
