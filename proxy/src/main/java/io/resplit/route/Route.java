package io.resplit.route;

/**
 * Where a request goes. {@link Router#route} gives a command's route; the four master and replica values are
 * also the lanes a forwarded request travels on ({@link Router#lane}). Requests on one lane run in order; a
 * request that would switch between master lanes waits until the other master lanes have drained, so that a
 * client's commands run on the master in the order it sent them even when they use different connections.
 * The lower-case names are the {@code route} label of the metrics and the slow log: the order of the values is
 * the index into cached meter arrays, and their names must not change.
 */
public enum Route {
    /** The proxy answers it itself (INFO and CONFIG GET as its own requests to the master, outside any lane). */
    LOCAL,
    /**
     * The master. As a lane: the client's connection to the master shared with other clients, carrying writes,
     * everything else for the master, and reads the master serves in a replica's place.
     */
    MASTER,
    /**
     * A healthy, caught-up replica (read-only commands with {@code read-from replicas}); the master when there is
     * none. As a lane: reads only, never ordered against the master lanes.
     */
    REPLICA,
    /**
     * The master connection pinned to this client: MULTI, EXEC, DISCARD, WATCH and UNWATCH (the transaction logic
     * decides what to send). As a lane: every request while the client is in MULTI or WATCH.
     */
    PINNED,
    /** A command that may block: a master connection of its own for its duration (a lane too). */
    BLOCKING,
    /** Subscribe and unsubscribe commands: the client's subscriber connection, outside any lane. */
    PUBSUB,
    /** Not carried; the client gets an error. */
    REFUSED
}
