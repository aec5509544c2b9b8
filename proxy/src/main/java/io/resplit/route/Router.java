package io.resplit.route;

import io.resplit.command.CommandSpec;
import io.resplit.config.ReadFrom;
import io.resplit.resp.RespRequest;

/**
 * Decides where a request goes, from the command's facts and the client's session state alone: no I/O, no
 * mutation. {@link #route} maps a command to its {@link Route}, {@link #insideMulti} to its route inside a
 * transaction; {@link #lane} gives the lane a forwarded request travels on. A command the table does not know
 * goes to the master: only commands Redis itself flags read-only ever reach a replica.
 */
public final class Router {
    private final ReadFrom readFrom;
    private final java.util.Set<String> allowedAdmin;

    public Router(ReadFrom readFrom) {
        this(readFrom, java.util.Set.of());
    }

    /** @param allowedAdmin admin commands allowed through ({@code allow-admin-commands}); "*" allows all */
    public Router(ReadFrom readFrom, java.util.Set<String> allowedAdmin) {
        this.readFrom = readFrom;
        this.allowedAdmin = allowedAdmin;
    }

    /** The route of {@code request}, whose command is {@code spec} (null: unknown). */
    public Route route(CommandSpec spec, RespRequest request) {
        if (spec == null) {
            return Route.MASTER;
        }
        if (spec.blocksOnlyWithOption() && hasBlockOption(request)) {
            return Route.BLOCKING;
        }
        return route(spec);
    }

    /** The route from the spec alone (tests, docs). */
    public Route route(CommandSpec spec) {
        if (spec == null) {
            return Route.MASTER;
        }
        switch (spec.handling()) {
            case TRANSACTION:
                return Route.PINNED;
            case BLOCKING:
                return Route.BLOCKING;
            case PUBSUB:
                return Route.PUBSUB;
            case ADMIN:
                return allowedAdmin.contains("*") || allowedAdmin.contains(spec.name()) ? Route.MASTER
                        : Route.REFUSED;
            case LOCAL:
                return Route.LOCAL;
            case REFUSED:
                return Route.REFUSED;
            case READ:
                return readFrom == ReadFrom.REPLICAS ? Route.REPLICA : Route.MASTER;
            default:
                return Route.MASTER;
        }
    }

    /**
     * The lane a forwarded request of route {@code route} travels on, fixed when it arrives: while the client is
     * in MULTI or WATCH ({@code pinnedToMaster}) everything goes to the pinned connection, and so do the
     * transaction commands; a blocking command gets a connection of its own; reads go to replicas; everything
     * else (writes, unknown and allowed admin commands, the proxy's own INFO and CONFIG GET) to the master.
     */
    public static Route lane(Route route, boolean pinnedToMaster) {
        if (pinnedToMaster || route == Route.PINNED) {
            return Route.PINNED;
        }
        if (route == Route.BLOCKING) {
            return Route.BLOCKING;
        }
        return route == Route.REPLICA ? Route.REPLICA : Route.MASTER;
    }

    /**
     * The route of a command sent between MULTI and EXEC, whose route outside a transaction is {@code route}:
     * everything is queued on the master (on the pinned lane, see {@link #lane}), except the transaction
     * commands themselves, what is refused anyway, local commands Redis runs at once (QUIT), and local commands
     * that change the proxy's own connection state, which are refused (EXEC then aborts, as after a queueing
     * error on Redis). A command the table does not know ({@code spec} null) is queued too: the master refuses
     * it and marks the transaction itself. Reads and blocking commands are queued on the master as well (Redis
     * does not block inside MULTI).
     */
    public static Route insideMulti(CommandSpec spec, Route route) {
        if (spec == null) {
            return Route.MASTER;
        }
        return switch (route) {
            case PINNED, REFUSED -> route;
            case LOCAL -> spec.immediateInMulti() ? Route.LOCAL
                    : spec.queuedInMulti() ? Route.MASTER : Route.REFUSED;
            default -> Route.MASTER;
        };
    }

    /** XREAD/XREADGROUP: a BLOCK option among the arguments before STREAMS. */
    private static boolean hasBlockOption(RespRequest request) {
        for (int i = 1; i < request.argc(); i++) {
            if (request.argIs(i, "streams")) {
                return false;
            }
            if (request.argIs(i, "block")) {
                return true;
            }
        }
        return false;
    }
}
