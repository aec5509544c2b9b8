package io.resplit.config;

import static io.resplit.config.DirectiveArgs.atLeast;
import static io.resplit.config.DirectiveArgs.emptyToNull;
import static io.resplit.config.DirectiveArgs.enumOf;
import static io.resplit.config.DirectiveArgs.hostPort;
import static io.resplit.config.DirectiveArgs.intIn;
import static io.resplit.config.DirectiveArgs.longIn;
import static io.resplit.config.DirectiveArgs.one;
import static io.resplit.config.DirectiveArgs.oneOf;
import static io.resplit.config.DirectiveArgs.sizeIn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collects directives one by one, validating each as it comes, then builds the immutable {@link ProxyConfig}.
 * The TLS and high-availability directives are collected by {@link TlsDirectives} and {@link HaDirectives},
 * which also check them together; the arguments are read by {@link DirectiveArgs}.
 */
final class ConfigBuilder {
    List<String> bind;
    int port;
    String requirepass;
    HostPort master;
    final List<HostPort> replicas = new ArrayList<>(); // the parser clears the file's list for --replica
    String masterauth;
    String masteruser;
    ReadFrom readFrom;
    int backendConnections;
    int connectTimeoutMs;
    int healthCheckIntervalMs;
    int healthCheckTimeoutMs;
    int timeoutSeconds;
    int maxclients;
    long protoMaxBulkLen;
    long clientQueryBufferLimit;
    int ioThreads;
    int databases;
    java.util.Set<String> allowAdminCommands;
    String adminSocket;
    int adminPort;
    String adminPassword;
    long replicaMaxLag;
    int failoverHoldTimeoutMs;
    long slowlogLogSlowerThan;
    int slowlogMaxLen;
    int metricsPort;
    String metricsBind;
    String source;
    private boolean masterGiven; // a "master" line was read (its default address is no sign of one)
    int blockingPoolSize;
    long trackingTableMaxKeys;
    String ioTransport;
    final List<List<String>> users = new ArrayList<>();
    String aclFile;
    OutputBufferLimits.Limit normalLimit;
    OutputBufferLimits.Limit pubsubLimit;
    final HaDirectives ha;
    private final TlsDirectives tls;

    ConfigBuilder() {
        this(ProxyConfig.defaults());
    }

    /** Starts from an existing configuration (CONFIG SET changes one directive of it). */
    ConfigBuilder(ProxyConfig c) {
        bind = c.bind();
        port = c.port();
        requirepass = c.requirepass();
        master = c.master();
        replicas.addAll(c.replicas());
        masterauth = c.masterauth();
        masteruser = c.masteruser();
        readFrom = c.readFrom();
        backendConnections = c.backendConnections();
        connectTimeoutMs = c.connectTimeoutMs();
        healthCheckIntervalMs = c.healthCheckIntervalMs();
        healthCheckTimeoutMs = c.healthCheckTimeoutMs();
        timeoutSeconds = c.timeoutSeconds();
        maxclients = c.maxclients();
        protoMaxBulkLen = c.protoMaxBulkLen();
        clientQueryBufferLimit = c.clientQueryBufferLimit();
        ioThreads = c.ioThreads();
        databases = c.databases();
        allowAdminCommands = c.allowAdminCommands();
        adminSocket = c.adminSocket();
        adminPort = c.adminPort();
        adminPassword = c.adminPassword();
        replicaMaxLag = c.replicaMaxLag();
        failoverHoldTimeoutMs = c.failoverHoldTimeoutMs();
        slowlogLogSlowerThan = c.slowlogLogSlowerThan();
        slowlogMaxLen = c.slowlogMaxLen();
        metricsPort = c.metricsPort();
        metricsBind = c.metricsBind();
        source = c.source();
        normalLimit = c.outputBufferLimits().normal();
        pubsubLimit = c.outputBufferLimits().pubsub();
        users.addAll(c.acl().users());
        aclFile = c.acl().aclFile();
        blockingPoolSize = c.blockingPoolSize();
        trackingTableMaxKeys = c.trackingTableMaxKeys();
        ioTransport = c.ioTransport();
        ha = new HaDirectives(c.ha());
        tls = new TlsDirectives(c.tls());
    }

    void apply(String name, List<String> a) {
        if (ha.apply(name, a) || tls.apply(name, a)) {
            return;
        }
        switch (name) {
            case "bind" -> {
                atLeast(a, 1);
                bind = List.copyOf(a);
            }
            case "port" -> port = intIn(one(a), 0, 65535);
            case "requirepass" -> requirepass = one(a);
            case "master" -> {
                master = hostPort(a);
                masterGiven = true;
            }
            case "replica" -> replicas.add(hostPort(a));
            case "masterauth" -> masterauth = emptyToNull(one(a));
            case "masteruser" -> masteruser = emptyToNull(one(a));
            case "read-from" -> readFrom = enumOf(ReadFrom.class, one(a));
            case "backend-connections" -> backendConnections = intIn(one(a), 1, 64);
            case "connect-timeout" -> connectTimeoutMs = intIn(one(a), 1, 600_000);
            case "health-check-interval" -> healthCheckIntervalMs = intIn(one(a), 5, 60_000);
            case "health-check-timeout" -> healthCheckTimeoutMs = intIn(one(a), 10, 600_000);
            case "timeout" -> timeoutSeconds = intIn(one(a), 0, Integer.MAX_VALUE);
            case "maxclients" -> maxclients = intIn(one(a), 1, 1_000_000);
            case "proto-max-bulk-len" -> protoMaxBulkLen = sizeIn(one(a), 1024 * 1024, Integer.MAX_VALUE - 1024);
            case "client-query-buffer-limit" ->
                    clientQueryBufferLimit = sizeIn(one(a), 1024 * 1024, 1024L * 1024 * 1024 * 1024);
            case "io-threads" -> ioThreads = intIn(one(a), 0, 256);
            case "databases" -> databases = intIn(one(a), 1, 1_000_000);
            case "allow-admin-commands" -> allowAdminCommands = adminCommands(a);
            case "admin-socket" -> adminSocket = emptyToNull(one(a));
            case "admin-port" -> adminPort = intIn(one(a), 0, 65535);
            case "admin-password" -> adminPassword = emptyToNull(one(a));
            case "replica-max-lag" -> replicaMaxLag = sizeIn(one(a), 0, Long.MAX_VALUE);
            case "failover-hold-timeout" -> failoverHoldTimeoutMs = intIn(one(a), 0, 3_600_000);
            case "slowlog-log-slower-than" ->
                    slowlogLogSlowerThan = longIn(one(a), Long.MIN_VALUE, Long.MAX_VALUE / 1000);
            case "slowlog-max-len" -> slowlogMaxLen = intIn(one(a), 0, 100_000); // an entry may take ~5 KB
            case "metrics-port" -> metricsPort = intIn(one(a), 0, 65535);
            case "metrics-bind" -> metricsBind = one(a);
            case "client-output-buffer-limit" -> outputBufferLimit(a);
            case "user" -> {
                atLeast(a, 1);
                users.add(List.copyOf(a));
            }
            case "aclfile" -> aclFile = emptyToNull(one(a));
            case "blocking-pool-size" -> blockingPoolSize = intIn(one(a), 0, 64);
            case "io-transport" -> ioTransport = oneOf(one(a), "auto", "epoll", "io_uring", "nio");
            case "tracking-table-max-keys" -> trackingTableMaxKeys = longIn(one(a), 0, Long.MAX_VALUE);
            default -> throw new IllegalArgumentException("Bad directive or wrong number of arguments");
        }
    }

    ProxyConfig build() {
        if (adminPort > 0 && adminPassword == null) {
            throw new ConfigException("admin-port " + adminPort + " needs an admin-password: the admin console can "
                    + "move the master");
        }
        if (healthCheckTimeoutMs < healthCheckIntervalMs) {
            throw new ConfigException("health-check-timeout (" + healthCheckTimeoutMs
                    + ") must not be shorter than health-check-interval (" + healthCheckIntervalMs + ")");
        }
        HighAvailability highAvailability = ha.build(masterGiven, !replicas.isEmpty());
        TlsSettings tlsSettings = tls.build(port);
        return new ProxyConfig(bind, port, requirepass, master, replicas, masterauth, masteruser, readFrom,
                backendConnections, connectTimeoutMs, healthCheckIntervalMs, healthCheckTimeoutMs, timeoutSeconds,
                maxclients, protoMaxBulkLen, clientQueryBufferLimit, ioThreads, databases, allowAdminCommands,
                adminSocket, adminPort, adminPassword, replicaMaxLag, failoverHoldTimeoutMs, slowlogLogSlowerThan,
                slowlogMaxLen, metricsPort, metricsBind, highAvailability, tlsSettings,
                new OutputBufferLimits(normalLimit, pubsubLimit), new AclSettings(users, aclFile), blockingPoolSize,
                trackingTableMaxKeys, ioTransport, source);
    }

    /** "no", "yes", or command names (subcommands as {@code config|set}), as in the admin commands' errors. */
    private static java.util.Set<String> adminCommands(List<String> a) {
        atLeast(a, 1);
        if (a.size() == 1 && a.get(0).equalsIgnoreCase("no")) {
            return java.util.Set.of();
        }
        if (a.size() == 1 && a.get(0).equalsIgnoreCase("yes")) {
            return java.util.Set.of(ProxyConfig.ALL);
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String name : a) {
            names.add(name.toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /**
     * {@code client-output-buffer-limit <class> <hard> <soft> <seconds>} (several classes may share a line, as
     * Redis allows in CONFIG SET); classes normal and pubsub. Redis's replica class has no meaning here.
     */
    private void outputBufferLimit(List<String> a) {
        if (a.isEmpty() || a.size() % 4 != 0) {
            throw new IllegalArgumentException("Wrong number of arguments in buffer limit configuration.");
        }
        for (int i = 0; i < a.size(); i += 4) {
            OutputBufferLimits.Limit limit = new OutputBufferLimits.Limit(sizeIn(a.get(i + 1), 0, Long.MAX_VALUE),
                    sizeIn(a.get(i + 2), 0, Long.MAX_VALUE), intIn(a.get(i + 3), 0, Integer.MAX_VALUE));
            switch (a.get(i).toLowerCase(Locale.ROOT)) {
                case "normal" -> normalLimit = limit;
                case "pubsub" -> pubsubLimit = limit;
                case "replica", "slave" -> throw new IllegalArgumentException(
                        "the replica class does not apply: resplit serves no replicas of its own");
                default -> throw new IllegalArgumentException("Invalid client class specified in buffer limit "
                        + "configuration.");
            }
        }
    }
}
