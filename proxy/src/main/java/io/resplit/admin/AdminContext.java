package io.resplit.admin;

import io.resplit.server.ProxyContext;
import io.resplit.topology.FailoverCoordinator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What admin commands act on: the proxy's services, the failover coordinator, and how to stop the process.
 *
 * @param failovers       failovers completed since start
 * @param lastPauseMicros write pause of the last completed failover
 * @param reread          reads the config file and command line again (RELOAD); null when started without a file
 */
record AdminContext(ProxyContext proxy, FailoverCoordinator failover, Runnable shutdown, AtomicLong failovers,
                    AtomicLong lastPauseMicros, java.util.function.Supplier<io.resplit.config.ProxyConfig> reread) {
}
