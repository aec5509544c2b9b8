package io.resplit.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The meters of each backend node, labelled with its address, read from the node at scrape time. */
final class BackendMeters {
    /** The meters {@link #add} binds to a node object, so that a node re-created later binds its own. */
    private static final List<String> NODE_BOUND = List.of("resplit.backend.up", "resplit.backend.master",
            "resplit.backend.replication.lag", "resplit.backend.inflight", "resplit.backend.down.events",
            "resplit.backend.connections.opened", "resplit.backend.health.check.latency");

    private final MeterRegistry registry;

    BackendMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    <T> void add(String node, T source, ToDoubleFunction<T> up, ToDoubleFunction<T> isMaster,
                 ToDoubleFunction<T> lagBytes, ToDoubleFunction<T> inflight, ToDoubleFunction<T> downs,
                 ToDoubleFunction<T> checkLatencySeconds, ToDoubleFunction<T> connectionsOpened) {
        Gauge.builder("resplit.backend.up", source, up).tag("node", node)
                .description("1 while the node answers health checks, else 0").register(registry);
        Gauge.builder("resplit.backend.master", source, isMaster).tag("node", node)
                .description("1 for the node the proxy sends writes to, else 0").register(registry);
        Gauge.builder("resplit.backend.replication.lag", source, lagBytes).tag("node", node).baseUnit("bytes")
                .description("Bytes of the replication stream the node is behind the master (0 for the master)")
                .register(registry);
        Gauge.builder("resplit.backend.inflight", source, inflight).tag("node", node)
                .description("Requests sent to the node and not yet answered").register(registry);
        FunctionCounter.builder("resplit.backend.down.events", source, downs).tag("node", node)
                .description("Times the node was taken out of service (failed connection or health check)")
                .register(registry);
        FunctionCounter.builder("resplit.backend.connections.opened", source, connectionsOpened).tag("node", node)
                .description("Connection attempts to the node, the first ones and every reconnect, successful or "
                        + "not").register(registry);
        Gauge.builder("resplit.backend.health.check.latency", source, checkLatencySeconds).tag("node", node)
                .baseUnit("seconds").description("Round trip of the node's last health check").register(registry);
    }

    /** Drops the meters {@link #add} registered for a node that left the topology. */
    void remove(String node) {
        for (String name : NODE_BOUND) {
            for (Meter m : registry.find(name).tag("node", node).meters()) {
                registry.remove(m);
            }
        }
    }
}
