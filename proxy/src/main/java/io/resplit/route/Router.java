package io.resplit.route;

import io.resplit.command.CommandSpec;
import io.resplit.config.ReadFrom;
import io.resplit.resp.RespRequest;

/**
 * Maps a command to a {@link RouteIntent}. A command the table does not know goes to the master: only commands
 * Redis itself flags read-only ever reach a replica.
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

    public RouteIntent intent(CommandSpec spec, RespRequest request) {
        if (spec == null) {
            return RouteIntent.MASTER;
        }
        if (spec.blocksOnlyWithOption() && hasBlockOption(request)) {
            return RouteIntent.BLOCKING;
        }
        return intent(spec);
    }

    /** The intent from the spec alone (tests, docs). */
    public RouteIntent intent(CommandSpec spec) {
        if (spec == null) {
            return RouteIntent.MASTER;
        }
        switch (spec.handling()) {
            case TRANSACTION:
                return RouteIntent.TRANSACTION;
            case BLOCKING:
                return RouteIntent.BLOCKING;
            case PUBSUB:
                return RouteIntent.PUBSUB;
            case ADMIN:
                return allowedAdmin.contains("*") || allowedAdmin.contains(spec.name()) ? RouteIntent.MASTER
                        : RouteIntent.REFUSED;
            case LOCAL:
                return RouteIntent.LOCAL;
            case REFUSED:
                return RouteIntent.REFUSED;
            case READ:
                return readFrom == ReadFrom.REPLICAS ? RouteIntent.REPLICA : RouteIntent.MASTER;
            default:
                return RouteIntent.MASTER;
        }
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
