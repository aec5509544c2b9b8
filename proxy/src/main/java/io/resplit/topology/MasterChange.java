package io.resplit.topology;

import io.resplit.config.HostPort;

/**
 * The master moved: told to {@link FailoverCoordinator#onMasterChanged} listeners after the topology was swapped.
 *
 * @param atMillis         wall-clock time of the swap
 * @param from             the master before
 * @param to               the master now
 * @param how              {@code failover} (this proxy's FAILOVER), {@code master set} (MASTER SET), or
 *                         {@code followed ...} (a role change made outside the proxy, or the sentinels' choice)
 * @param writePauseMicros how long writes were held; 0 when the proxy did not hold them
 */
public record MasterChange(long atMillis, HostPort from, HostPort to, String how, long writePauseMicros) {
}
