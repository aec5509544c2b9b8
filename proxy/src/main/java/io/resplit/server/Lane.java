package io.resplit.server;

/**
 * The ways a client's requests reach the backends. Requests on one lane run in order; a request that would
 * switch between master lanes waits until the other lanes have drained, so that a client's commands run on
 * the master in the order it sent them even when they travel on different connections.
 */
enum Lane {
    /** A replica (or the master standing in for one): reads only, never ordered against the master lanes. */
    REPLICA,
    /** The client's connection to the master shared with other clients. */
    SHARED,
    /** The master connection pinned to this client during MULTI or WATCH. */
    PINNED,
    /** A master connection of its own for one blocking command. */
    BLOCKING
}
