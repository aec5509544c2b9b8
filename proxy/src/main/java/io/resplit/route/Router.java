package io.resplit.route;

import io.resplit.command.CommandSpec;
import io.resplit.config.ReadFrom;

/**
 * Maps a command to a {@link RouteIntent}. A command the table does not know goes to the master: only commands
 * Redis itself flags read-only ever reach a replica.
 */
public final class Router {
    private final ReadFrom readFrom;

    public Router(ReadFrom readFrom) {
        this.readFrom = readFrom;
    }

    public RouteIntent intent(CommandSpec spec) {
        if (spec == null) {
            return RouteIntent.MASTER;
        }
        switch (spec.handling()) {
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
}
