package io.resplit.config;

import java.util.List;

/**
 * How the proxy learns its master and replicas beyond the {@code master}/{@code replica} lines, and how safe a
 * write's acknowledgement is.
 *
 * @param sentinelMaster    {@code sentinel-master}: the name the sentinels monitor; null without Sentinel mode
 * @param sentinels         {@code sentinel host port} lines
 * @param sentinelUser      {@code sentinel-user}, for sentinels with ACL users; null for none
 * @param sentinelPassword  {@code sentinel-password}, when the sentinels require AUTH; null for none
 * @param sentinelPollMs    {@code sentinel-poll-interval}: how often every sentinel is asked, besides its messages
 * @param writeAckReplicas  {@code write-ack-replicas}: replicas that must have a write before its reply goes out
 * @param writeAckTimeoutMs {@code write-ack-timeout}: how long a write waits for them
 * @param replicaDiscovery  {@code replica-discovery}: replicas the master lists join the topology by themselves
 * @param clusterNodes      {@code cluster-node host port} lines: seed nodes of a Redis Cluster; empty outside
 *                          cluster mode
 */
public record HighAvailability(String sentinelMaster, List<HostPort> sentinels, String sentinelUser,
                               String sentinelPassword, int sentinelPollMs, int writeAckReplicas,
                               int writeAckTimeoutMs, boolean replicaDiscovery, List<HostPort> clusterNodes) {
    public HighAvailability {
        sentinels = List.copyOf(sentinels);
        clusterNodes = List.copyOf(clusterNodes);
    }

    public static HighAvailability defaults() {
        return new HighAvailability(null, List.of(), null, null, 1000, 0, 1000, false, List.of());
    }

    /** Cluster mode: the masters, replicas and slots come from a Redis Cluster's own map. */
    public boolean clusterMode() {
        return !clusterNodes.isEmpty();
    }

    /** Sentinel mode: the master and replicas come from the sentinels. */
    public boolean sentinelMode() {
        return sentinelMaster != null;
    }
}
