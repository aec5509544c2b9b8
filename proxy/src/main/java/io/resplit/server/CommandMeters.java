package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.command.CommandSpec;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.resp.RespReplyDecoder;
import io.resplit.route.Route;

/**
 * The per-request meters of one event loop, resolved once per command and route and cached, so that recording a
 * reply costs a counter increment and a histogram sample, with no string built, no registry lookup, no
 * thread-local lookup and no atomic instruction: the recorders belong to this loop alone. Used on its event
 * loop only.
 */
final class CommandMeters {
    private static final CommandSpec UNKNOWN = null;
    private static final int PER_SPEC = Route.values().length * 2; // counters per command: route x outcome
    private final ProxyMetrics metrics;
    private final boolean enabled;
    private final int loop;   // this loop's slot in each command's per-loop counters
    private final int loops;
    private final ProxyMetrics.Count[] unknown = new ProxyMetrics.Count[PER_SPEC]; // commands not in the table
    private final ProxyMetrics.Latency[] latency = new ProxyMetrics.Latency[Route.values().length];
    private final ProxyMetrics.Count bytesIn;
    private final ProxyMetrics.Count bytesOut;

    /** The meters of event loop {@code loop} of {@code loops}. */
    CommandMeters(ProxyMetrics metrics, int loop, int loops) {
        this.metrics = metrics;
        this.enabled = metrics.enabled();
        this.loop = loop;
        this.loops = loops;
        for (Route r : Route.values()) {
            latency[r.ordinal()] = metrics.requestDuration(label(r), loop);
        }
        bytesIn = metrics.bytesIn(loop);
        bytesOut = metrics.bytesOut(loop);
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    /**
     * A reply is being written: count it by command, route and outcome, and time it since its arrival;
     * {@code nowNanos} is read once per drain of the reply queue, not per reply.
     */
    void replied(PendingReply p, ByteBuf reply, long nowNanos) {
        if (!enabled) {
            return;
        }
        Route route = routeOf(p);
        boolean error = p.outcome() != PendingReply.UNKNOWN ? p.outcome() == PendingReply.ERROR
                : RespReplyDecoder.isError(reply); // a reply the proxy made
        count(p.spec, route, error);
        latency[route.ordinal()].recordNanos(nowNanos - p.startNanos);
    }

    /**
     * A command sent on a streaming connection (subscriber or MONITOR): counted once, when sent, since what comes
     * back are pushes (confirmations, messages, the feed) that answer no one request; not timed.
     */
    void sentOnStream(CommandSpec spec, Route route) {
        if (enabled) {
            count(spec, route, false);
        }
    }

    private void count(CommandSpec spec, Route route, boolean error) {
        ProxyMetrics.Count[] forSpec = countersOf(spec);
        int i = route.ordinal() * 2 + (error ? 1 : 0);
        ProxyMetrics.Count c = forSpec[i];
        if (c == null) {
            c = metrics.commands(spec == UNKNOWN ? "unknown" : spec.name(), label(route), error ? "error" : "ok", loop);
            forSpec[i] = c;
        }
        c.increment();
    }

    /** Whether meters record anything (metrics-port set); when not, callers skip the clock reads too. */
    boolean enabled() {
        return enabled;
    }

    /** A backend answered {@code p} at {@code now} (a clock read shared with the slow log). */
    void backendReplied(PendingReply p, long now) {
        if (enabled) {
            long sent = p.sentNanos() != 0 ? p.sentNanos() : p.startNanos; // sent on arrival unless it waited
            // kept on the node, for this loop: no map lookup per reply, and nothing outlives a removed node (one
            // added again under the same address gets the same series from the histogram)
            ProxyMetrics.Latency latency = p.node.loopAttachment(loop) instanceof ProxyMetrics.Latency l ? l : null;
            if (latency == null) {
                latency = metrics.backendDuration(p.node.address().toString(), loop);
                p.node.attachToLoop(loop, latency);
            }
            latency.recordNanos(now - sent);
        }
    }

    /** Received request bytes. */
    void received(int bytes) {
        if (enabled) {
            bytesIn.add(bytes);
        }
    }

    /** Reply bytes written in one drain of a reply queue. */
    void sent(long bytes) {
        if (enabled && bytes > 0) {
            bytesOut.add(bytes);
        }
    }

    private ProxyMetrics.Count[] countersOf(CommandSpec spec) {
        if (spec == UNKNOWN) {
            return unknown;
        }
        ProxyMetrics.Count[][] perLoop = spec.attachment() instanceof ProxyMetrics.Count[][] a ? a : attachTo(spec);
        ProxyMetrics.Count[] mine = perLoop[loop]; // this loop's slot: written and read by this loop only
        if (mine == null) {
            mine = new ProxyMetrics.Count[PER_SPEC];
            perLoop[loop] = mine;
        }
        return mine;
    }

    /** The per-loop counter slots of {@code spec}, made once whichever loop sees the command first. */
    private ProxyMetrics.Count[][] attachTo(CommandSpec spec) {
        synchronized (spec) {
            if (spec.attachment() instanceof ProxyMetrics.Count[][] a) {
                return a;
            }
            ProxyMetrics.Count[][] a = new ProxyMetrics.Count[loops][];
            spec.attach(a);
            return a;
        }
    }

    /** The route label of {@code p}, as in the metrics (for the slow log). */
    static String routeLabel(PendingReply p) {
        return label(routeOf(p));
    }

    private static Route routeOf(PendingReply p) {
        if (p.lane() == Route.PINNED) {
            return Route.PINNED;
        }
        if (p.route() == Route.REPLICA) {
            return p.lane() == Route.REPLICA ? Route.REPLICA : Route.MASTER; // the master stood in for a replica
        }
        return p.route();
    }

    private static String label(Route r) {
        return r.name().toLowerCase(java.util.Locale.ROOT);
    }
}
