package io.resplit.status;

import io.resplit.metrics.ProxyMetrics;
import io.resplit.topology.FailoverCoordinator;
import io.resplit.topology.TopologyHolder;
import io.resplit.topology.WriteGate;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Where the status page reads from: the same objects the admin {@code STATUS} and {@code BACKENDS} commands read,
 * and the meters. Suppliers rather than the client registry itself, so this package needs nothing from the
 * client side ({@code server}).
 *
 * @param readFrom the {@code read-from} setting now ({@code replicas} or {@code master}); RELOAD may change it
 */
public record StatusSources(TopologyHolder topology, WriteGate writeGate, FailoverCoordinator failover,
                            ProxyMetrics metrics, IntSupplier connectedClients, LongSupplier refusedClients,
                            Supplier<String> readFrom) {
}
