package io.resplit.config;

import java.util.List;

/**
 * Every setting of the proxy, immutable. Built by {@link ConfigParser}; defaults in {@link #defaults()}.
 * Durations are in milliseconds unless the name says otherwise.
 */
public record ProxyConfig(
        List<String> bind,
        int port,
        String requirepass,
        HostPort master,
        List<HostPort> replicas,
        String masterauth,
        String masteruser,
        ReadFrom readFrom,
        int backendConnections,
        int connectTimeoutMs,
        int healthCheckIntervalMs,
        int healthCheckTimeoutMs,
        int timeoutSeconds,
        int maxclients,
        long protoMaxBulkLen,
        long clientQueryBufferLimit,
        int ioThreads,
        int databases,
        java.util.Set<String> allowAdminCommands,
        String adminSocket,
        int adminPort,
        String adminPassword,
        long replicaMaxLag,
        int failoverHoldTimeoutMs,
        long slowlogLogSlowerThan,
        int slowlogMaxLen,
        int metricsPort,
        String metricsBind,
        HighAvailability ha,
        TlsSettings tls,
        OutputBufferLimits outputBufferLimits,
        AclSettings acl,
        int blockingPoolSize,
        long trackingTableMaxKeys,
        String ioTransport,
        String source) {

    /** In {@link #allowAdminCommands}: every admin command is allowed. */
    public static final String ALL = "*";

    public ProxyConfig {
        bind = List.copyOf(bind);
        replicas = List.copyOf(replicas);
        allowAdminCommands = java.util.Set.copyOf(allowAdminCommands);
    }

    public static ProxyConfig defaults() {
        return new ProxyConfig(List.of("127.0.0.1", "-::1"), 6390, null, new HostPort("127.0.0.1", 6379), List.of(),
                null, null, ReadFrom.REPLICAS, 1, 2000, 50, 1000, 0, 10000, 512L * 1024 * 1024,
                1024L * 1024 * 1024, 0, 16, java.util.Set.of(), null, 0, null, 64L * 1024 * 1024,
                10_000, 10_000, 128, 0, "127.0.0.1", HighAvailability.defaults(), TlsSettings.defaults(),
                OutputBufferLimits.defaults(), AclSettings.defaults(), 2, 1_000_000, "auto", "(defaults)");
    }

    /** Whether clients must authenticate ({@code requirepass} set and not empty). */
    public boolean clientAuthRequired() {
        return requirepass != null && !requirepass.isEmpty();
    }

    public ProxyConfig withPort(int newPort) {
        return new ProxyConfig(bind, newPort, requirepass, master, replicas, masterauth, masteruser, readFrom,
                backendConnections, connectTimeoutMs, healthCheckIntervalMs, healthCheckTimeoutMs, timeoutSeconds,
                maxclients, protoMaxBulkLen, clientQueryBufferLimit, ioThreads, databases, allowAdminCommands, adminSocket, adminPort, adminPassword, replicaMaxLag, failoverHoldTimeoutMs, slowlogLogSlowerThan, slowlogMaxLen, metricsPort, metricsBind,
                ha, tls, outputBufferLimits, acl, blockingPoolSize, trackingTableMaxKeys, ioTransport, source);
    }

    /**
     * Threads for client and backend I/O: {@code io-threads}, or half the cores (at least one) when 0. The Redis
     * servers and clients on the same host need cores too, and much of the proxy's CPU is the kernel's socket
     * work (about three quarters at pipeline 1, under half at 16: docs/benchmarks.md, "Where the CPU goes").
     * The default rests on one bench/run.sh comparison on a 2-core host, noted only in the message of commit
     * 3460cbe: one I/O thread served about 40 % more GETs per second at pipeline 1 than two. docs/benchmarks.md
     * has no comparison by thread count (all its figures are of one I/O thread).
     */
    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
