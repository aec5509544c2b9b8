package io.resplit.command;

import io.resplit.resp.RespRequest;

/**
 * Where a blocking command carries its timeout, so that a command re-issued elsewhere (its master became a
 * replica during a failover) blocks only for the time it had left. The only place that knows these layouts.
 */
public final class BlockingTimeouts {
    private BlockingTimeouts() {
    }

    /** A timeout found in a request: the argument's index and whether it is in milliseconds (else seconds). */
    public record Position(int index, boolean millis) {
    }

    /** The timeout's position in {@code r}, or null when the command has none the proxy knows. */
    public static Position of(CommandSpec spec, RespRequest r) {
        if (spec == null) {
            return null;
        }
        switch (spec.name()) {
            case "blpop", "brpop", "bzpopmin", "bzpopmax", "blmove", "brpoplpush":
                return new Position(r.argc() - 1, false);
            case "blmpop", "bzmpop":
                return r.argc() > 1 ? new Position(1, false) : null;
            case "xread", "xreadgroup":
                for (int i = 1; i + 1 < r.argc(); i++) {
                    if (r.argIs(i, "streams")) {
                        return null;
                    }
                    if (r.argIs(i, "block")) {
                        return new Position(i + 1, true);
                    }
                }
                return null;
            default:
                return null;
        }
    }
}
