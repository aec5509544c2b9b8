package io.resplit.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendNode;
import io.resplit.command.CommandSpec;
import io.resplit.metrics.ProxyMetrics;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The per-request meters, resolved once per command and route and cached, so that recording a reply costs two
 * counter increments and a timer sample, with no string built and no registry lookup.
 */
final class CommandMeters {
    /** The route label of a reply; the order is the index into the cached meter arrays. */
    enum Route { LOCAL, MASTER, REPLICA, PINNED, BLOCKING, PUBSUB, REFUSED }

    private static final CommandSpec UNKNOWN = null;
    private final ProxyMetrics metrics;
    private final ConcurrentHashMap<Object, Counter[]> counters = new ConcurrentHashMap<>();
    private final Timer[] latency = new Timer[Route.values().length];
    private final ConcurrentHashMap<BackendNode, Timer> backendLatency = new ConcurrentHashMap<>();
    private final Object unknownKey = new Object();

    CommandMeters(ProxyMetrics metrics) {
        this.metrics = metrics;
        for (Route r : Route.values()) {
            latency[r.ordinal()] = metrics.requestDuration(label(r));
        }
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    /** A reply is being written: count it by command, route and outcome, and time it since its arrival. */
    void replied(PendingReply p, ByteBuf reply) {
        Route route = routeOf(p);
        boolean error = reply.isReadable() && reply.getByte(reply.readerIndex()) == '-';
        Counter[] forSpec = counters.computeIfAbsent(p.spec == UNKNOWN ? unknownKey : p.spec,
                k -> new Counter[Route.values().length * 2]);
        int i = route.ordinal() * 2 + (error ? 1 : 0);
        Counter c = forSpec[i];
        if (c == null) {
            c = metrics.commands(p.spec == UNKNOWN ? "unknown" : p.spec.name(), label(route), error ? "error" : "ok");
            forSpec[i] = c;
        }
        c.increment();
        latency[route.ordinal()].record(System.nanoTime() - p.startNanos, TimeUnit.NANOSECONDS);
        metrics.bytesOut().increment(reply.readableBytes());
    }

    /** A backend answered a request sent at {@code sentNanos}. */
    void backendReplied(BackendNode node, long sentNanos) {
        backendLatency.computeIfAbsent(node, n -> metrics.backendDuration(n.address().toString()))
                .record(System.nanoTime() - sentNanos, TimeUnit.NANOSECONDS);
    }

    private static Route routeOf(PendingReply p) {
        if (p.lane == Lane.PINNED) {
            return Route.PINNED;
        }
        return switch (p.intent) {
            case LOCAL -> Route.LOCAL;
            case REFUSED -> Route.REFUSED;
            case TRANSACTION -> Route.PINNED;
            case BLOCKING -> Route.BLOCKING;
            case PUBSUB -> Route.PUBSUB;
            case REPLICA -> p.lane == Lane.REPLICA ? Route.REPLICA : Route.MASTER;
            default -> Route.MASTER;
        };
    }

    private static String label(Route r) {
        return r.name().toLowerCase(java.util.Locale.ROOT);
    }
}
