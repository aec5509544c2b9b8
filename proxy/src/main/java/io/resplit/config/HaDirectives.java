package io.resplit.config;

import static io.resplit.config.DirectiveArgs.emptyToNull;
import static io.resplit.config.DirectiveArgs.hostPort;
import static io.resplit.config.DirectiveArgs.intIn;
import static io.resplit.config.DirectiveArgs.one;
import static io.resplit.config.DirectiveArgs.yesNo;

import java.util.ArrayList;
import java.util.List;

/**
 * The directives of {@link HighAvailability} as they are read (Sentinel mode, cluster mode, write
 * acknowledgement, replica discovery), then checked against each other and the {@code master}/{@code replica}
 * lines.
 */
final class HaDirectives {
    private String sentinelMaster;
    final List<HostPort> sentinels = new ArrayList<>(); // the parser clears the file's list for --sentinel
    final List<HostPort> clusterNodes = new ArrayList<>(); // likewise for --cluster-node
    private String sentinelUser;
    private String sentinelPassword;
    private int sentinelPollMs;
    private int writeAckReplicas;
    private int writeAckTimeoutMs;
    private boolean replicaDiscovery;

    /** Starts from {@code h}: the defaults, or the settings CONFIG SET changes one directive of. */
    HaDirectives(HighAvailability h) {
        sentinelMaster = h.sentinelMaster();
        sentinels.addAll(h.sentinels());
        clusterNodes.addAll(h.clusterNodes());
        sentinelUser = h.sentinelUser();
        sentinelPassword = h.sentinelPassword();
        sentinelPollMs = h.sentinelPollMs();
        writeAckReplicas = h.writeAckReplicas();
        writeAckTimeoutMs = h.writeAckTimeoutMs();
        replicaDiscovery = h.replicaDiscovery();
    }

    /** Applies {@code name} if it is one of these directives; false if it is not one. */
    boolean apply(String name, List<String> a) {
        switch (name) {
            case "cluster-node" -> clusterNodes.add(hostPort(a));
            case "sentinel-master" -> sentinelMaster = emptyToNull(one(a));
            case "sentinel" -> sentinels.add(hostPort(a));
            case "sentinel-user" -> sentinelUser = emptyToNull(one(a));
            case "sentinel-password" -> sentinelPassword = emptyToNull(one(a));
            case "sentinel-poll-interval" -> sentinelPollMs = intIn(one(a), 10, 60_000);
            case "write-ack-replicas" -> writeAckReplicas = intIn(one(a), 0, 64);
            case "write-ack-timeout" -> writeAckTimeoutMs = intIn(one(a), 1, 600_000);
            case "replica-discovery" -> replicaDiscovery = yesNo(one(a));
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * The settings, checked: Sentinel mode needs both its name and its sentinels, and cluster mode learns every
     * node from the cluster, so it takes no {@code master} ({@code masterGiven}) or {@code replica} lines.
     */
    HighAvailability build(boolean masterGiven, boolean replicasGiven) {
        if (sentinelMaster != null && sentinels.isEmpty()) {
            throw new ConfigException("sentinel-master " + sentinelMaster + " needs at least one 'sentinel host port' "
                    + "line");
        }
        if (sentinelMaster == null && !sentinels.isEmpty()) {
            throw new ConfigException("'sentinel' lines need sentinel-master (the name the sentinels monitor)");
        }
        if (!clusterNodes.isEmpty() && (masterGiven || replicasGiven || sentinelMaster != null)) {
            throw new ConfigException("'cluster-node' lines cannot be mixed with 'master', 'replica' or 'sentinel' "
                    + "lines: in cluster mode the proxy learns every master and replica from the cluster itself");
        }
        if (!clusterNodes.isEmpty() && writeAckReplicas > 0) {
            throw new ConfigException("write-ack-replicas is not supported with 'cluster-node' lines yet");
        }
        return new HighAvailability(sentinelMaster, sentinels, sentinelUser, sentinelPassword, sentinelPollMs,
                writeAckReplicas, writeAckTimeoutMs, replicaDiscovery, clusterNodes);
    }
}
