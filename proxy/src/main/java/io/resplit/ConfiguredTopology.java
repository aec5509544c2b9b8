package io.resplit;

import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import io.resplit.config.ProxyConfig;
import io.resplit.sentinel.SentinelView;
import io.resplit.sentinel.SentinelWatcher;
import io.resplit.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master and replicas the proxy starts with outside cluster mode: those of the {@code master} and
 * {@code replica} lines, or in Sentinel mode those the sentinels name; each node created with its health checks.
 */
final class ConfiguredTopology {
    private static final Logger log = LoggerFactory.getLogger(ConfiguredTopology.class);

    private ConfiguredTopology() {
    }

    /**
     * @param sentinels the watcher to ask in Sentinel mode (for up to twice {@code connect-timeout}, at least
     *                  5 s); null to take the config's lines
     * @throws IllegalStateException when no sentinel answers
     */
    static Topology create(ProxyConfig config, SentinelWatcher sentinels, BackendNodes nodes) {
        HostPort masterAddress = config.master();
        List<HostPort> replicaAddresses = config.replicas();
        if (sentinels != null) {
            try {
                SentinelView.Decision found = sentinels.discover(Math.max(5000L, 2L * config.connectTimeoutMs()));
                masterAddress = found.master();
                replicaAddresses = found.replicas() == null ? List.of() : found.replicas();
                log.info("sentinels name master {} (config epoch {}), replicas {}", masterAddress, found.epoch(),
                        replicaAddresses);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Sentinel mode: " + e.getMessage(), e);
            }
        }
        BackendNode master = nodes.create(masterAddress);
        List<BackendNode> replicas = new ArrayList<>();
        for (HostPort r : replicaAddresses) {
            if (!r.equals(masterAddress)) {
                replicas.add(nodes.create(r));
            }
        }
        return new Topology(master, replicas);
    }
}
