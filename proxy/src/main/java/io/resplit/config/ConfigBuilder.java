package io.resplit.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects directives one by one, validating each as it comes, then builds the immutable {@link ProxyConfig}. */
final class ConfigBuilder {
    private final ProxyConfig d = ProxyConfig.defaults();
    List<String> bind = d.bind();
    int port = d.port();
    String requirepass = d.requirepass();
    HostPort master = d.master();
    final List<HostPort> replicas = new ArrayList<>();
    String masterauth;
    String masteruser;
    ReadFrom readFrom = d.readFrom();
    int backendConnections = d.backendConnections();
    int connectTimeoutMs = d.connectTimeoutMs();
    int healthCheckIntervalMs = d.healthCheckIntervalMs();
    int healthCheckTimeoutMs = d.healthCheckTimeoutMs();
    int timeoutSeconds = d.timeoutSeconds();
    int maxclients = d.maxclients();
    long protoMaxBulkLen = d.protoMaxBulkLen();
    long clientQueryBufferLimit = d.clientQueryBufferLimit();
    int ioThreads = d.ioThreads();
    int databases = d.databases();
    java.util.Set<String> allowAdminCommands = d.allowAdminCommands();
    String adminSocket = d.adminSocket();
    int adminPort = d.adminPort();
    String adminPassword = d.adminPassword();
    long replicaMaxLag = d.replicaMaxLag();
    int failoverHoldTimeoutMs = d.failoverHoldTimeoutMs();
    long slowlogLogSlowerThan = d.slowlogLogSlowerThan();
    int slowlogMaxLen = d.slowlogMaxLen();
    int metricsPort = d.metricsPort();
    String metricsBind = d.metricsBind();
    String source = d.source();
    String sentinelMaster = d.ha().sentinelMaster();
    final List<HostPort> sentinels = new ArrayList<>();
    final List<HostPort> clusterNodes = new ArrayList<>();
    private boolean masterGiven; // a "master" line was read (its default address is no sign of one)
    String sentinelUser = d.ha().sentinelUser();
    String sentinelPassword = d.ha().sentinelPassword();
    int sentinelPollMs = d.ha().sentinelPollMs();
    int writeAckReplicas = d.ha().writeAckReplicas();
    int writeAckTimeoutMs = d.ha().writeAckTimeoutMs();
    boolean replicaDiscovery = d.ha().replicaDiscovery();
    int tlsPort = d.tls().port();
    int blockingPoolSize = d.blockingPoolSize();
    long trackingTableMaxKeys = d.trackingTableMaxKeys();
    String ioTransport = d.ioTransport();
    final List<List<String>> users = new ArrayList<>();
    String aclFile = d.acl().aclFile();
    OutputBufferLimits.Limit normalLimit = d.outputBufferLimits().normal();
    OutputBufferLimits.Limit pubsubLimit = d.outputBufferLimits().pubsub();
    String tlsCertFile = d.tls().certFile();
    String tlsKeyFile = d.tls().keyFile();
    String tlsCaCertFile = d.tls().caCertFile();
    String tlsCaCertDir = d.tls().caCertDir();
    TlsSettings.AuthClients tlsAuthClients = d.tls().authClients();
    List<String> tlsProtocols = d.tls().protocols();
    String tlsCiphers = d.tls().ciphers();
    String tlsCiphersuites = d.tls().ciphersuites();
    boolean tlsBackends = d.tls().backends();
    String tlsClientCertFile = d.tls().clientCertFile();
    String tlsClientKeyFile = d.tls().clientKeyFile();

    ConfigBuilder() {
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
        HighAvailability h = c.ha();
        sentinelMaster = h.sentinelMaster();
        sentinels.addAll(h.sentinels());
        clusterNodes.addAll(h.clusterNodes());
        sentinelUser = h.sentinelUser();
        sentinelPassword = h.sentinelPassword();
        sentinelPollMs = h.sentinelPollMs();
        writeAckReplicas = h.writeAckReplicas();
        writeAckTimeoutMs = h.writeAckTimeoutMs();
        replicaDiscovery = h.replicaDiscovery();
        normalLimit = c.outputBufferLimits().normal();
        pubsubLimit = c.outputBufferLimits().pubsub();
        users.addAll(c.acl().users());
        aclFile = c.acl().aclFile();
        blockingPoolSize = c.blockingPoolSize();
        trackingTableMaxKeys = c.trackingTableMaxKeys();
        ioTransport = c.ioTransport();
        TlsSettings t = c.tls();
        tlsPort = t.port();
        tlsCertFile = t.certFile();
        tlsKeyFile = t.keyFile();
        tlsCaCertFile = t.caCertFile();
        tlsCaCertDir = t.caCertDir();
        tlsAuthClients = t.authClients();
        tlsProtocols = t.protocols();
        tlsCiphers = t.ciphers();
        tlsCiphersuites = t.ciphersuites();
        tlsBackends = t.backends();
        tlsClientCertFile = t.clientCertFile();
        tlsClientKeyFile = t.clientKeyFile();
    }

    void apply(String name, List<String> a) {
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
            case "cluster-node" -> clusterNodes.add(hostPort(a));
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
            case "slowlog-log-slower-than" -> slowlogLogSlowerThan = longIn(one(a), Long.MIN_VALUE, Long.MAX_VALUE / 1000);
            case "slowlog-max-len" -> slowlogMaxLen = intIn(one(a), 0, 100_000); // an entry may take ~5 KB
            case "metrics-port" -> metricsPort = intIn(one(a), 0, 65535);
            case "metrics-bind" -> metricsBind = one(a);
            case "sentinel-master" -> sentinelMaster = emptyToNull(one(a));
            case "sentinel" -> sentinels.add(hostPort(a));
            case "sentinel-user" -> sentinelUser = emptyToNull(one(a));
            case "sentinel-password" -> sentinelPassword = emptyToNull(one(a));
            case "sentinel-poll-interval" -> sentinelPollMs = intIn(one(a), 10, 60_000);
            case "write-ack-replicas" -> writeAckReplicas = intIn(one(a), 0, 64);
            case "write-ack-timeout" -> writeAckTimeoutMs = intIn(one(a), 1, 600_000);
            case "replica-discovery" -> replicaDiscovery = yesNo(one(a));
            case "client-output-buffer-limit" -> outputBufferLimit(a);
            case "user" -> {
                atLeast(a, 1);
                users.add(List.copyOf(a));
            }
            case "aclfile" -> aclFile = emptyToNull(one(a));
            case "blocking-pool-size" -> blockingPoolSize = intIn(one(a), 0, 64);
            case "io-transport" -> ioTransport = oneOf(one(a), "auto", "epoll", "io_uring", "nio");
            case "tracking-table-max-keys" -> trackingTableMaxKeys = longIn(one(a), 0, Long.MAX_VALUE);
            case "tls-port" -> tlsPort = intIn(one(a), 0, 65535);
            case "tls-cert-file" -> tlsCertFile = emptyToNull(one(a));
            case "tls-key-file" -> tlsKeyFile = emptyToNull(one(a));
            case "tls-ca-cert-file" -> tlsCaCertFile = emptyToNull(one(a));
            case "tls-ca-cert-dir" -> tlsCaCertDir = emptyToNull(one(a));
            case "tls-auth-clients" -> tlsAuthClients = enumOf(TlsSettings.AuthClients.class, one(a));
            case "tls-protocols" -> tlsProtocols = tlsProtocols(a);
            case "tls-ciphers" -> tlsCiphers = emptyToNull(one(a));
            case "tls-ciphersuites" -> tlsCiphersuites = emptyToNull(one(a));
            case "tls-backends" -> tlsBackends = yesNo(one(a));
            case "tls-client-cert-file" -> tlsClientCertFile = emptyToNull(one(a));
            case "tls-client-key-file" -> tlsClientKeyFile = emptyToNull(one(a));
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
        if (sentinelMaster != null && sentinels.isEmpty()) {
            throw new ConfigException("sentinel-master " + sentinelMaster + " needs at least one 'sentinel host port' "
                    + "line");
        }
        if (sentinelMaster == null && !sentinels.isEmpty()) {
            throw new ConfigException("'sentinel' lines need sentinel-master (the name the sentinels monitor)");
        }
        if (!clusterNodes.isEmpty() && (masterGiven || !replicas.isEmpty() || sentinelMaster != null)) {
            throw new ConfigException("'cluster-node' lines cannot be mixed with 'master', 'replica' or 'sentinel' "
                    + "lines: in cluster mode the proxy learns every master and replica from the cluster itself");
        }
        if (!clusterNodes.isEmpty() && writeAckReplicas > 0) {
            throw new ConfigException("write-ack-replicas is not supported with 'cluster-node' lines yet");
        }
        TlsSettings tls = new TlsSettings(tlsPort, tlsCertFile, tlsKeyFile, tlsCaCertFile, tlsCaCertDir,
                tlsAuthClients, tlsProtocols, tlsCiphers, tlsCiphersuites, tlsBackends, tlsClientCertFile,
                tlsClientKeyFile);
        checkTls(tls);
        HighAvailability ha = new HighAvailability(sentinelMaster, sentinels, sentinelUser, sentinelPassword,
                sentinelPollMs, writeAckReplicas, writeAckTimeoutMs, replicaDiscovery, clusterNodes);
        return new ProxyConfig(bind, port, requirepass, master, replicas, masterauth, masteruser, readFrom,
                backendConnections, connectTimeoutMs, healthCheckIntervalMs, healthCheckTimeoutMs, timeoutSeconds,
                maxclients, protoMaxBulkLen, clientQueryBufferLimit, ioThreads, databases, allowAdminCommands, adminSocket, adminPort, adminPassword, replicaMaxLag, failoverHoldTimeoutMs, slowlogLogSlowerThan, slowlogMaxLen, metricsPort, metricsBind,
                ha, tls, new OutputBufferLimits(normalLimit, pubsubLimit), new AclSettings(users, aclFile), blockingPoolSize, trackingTableMaxKeys, ioTransport, source);
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

    /** One of {@code choices}, in any case, returned in lower case. */
    private static String oneOf(String value, String... choices) {
        for (String c : choices) {
            if (c.equalsIgnoreCase(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("argument must be one of " + String.join(", ", choices));
    }

    private static String one(List<String> a) {
        if (a.size() != 1) {
            throw new IllegalArgumentException("Bad directive or wrong number of arguments");
        }
        return a.get(0);
    }

    private static void atLeast(List<String> a, int n) {
        if (a.size() < n) {
            throw new IllegalArgumentException("Bad directive or wrong number of arguments");
        }
    }

    private static HostPort hostPort(List<String> a) {
        if (a.size() != 2) {
            throw new IllegalArgumentException("Bad directive or wrong number of arguments (expected: host port)");
        }
        return new HostPort(a.get(0), intIn(a.get(1), 1, 65535));
    }

    private static int intIn(String s, int min, int max) {
        return (int) longIn(s, min, max);
    }

    private static long longIn(String s, long min, long max) {
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument must be a number, got '" + s + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("argument must be between " + min + " and " + max);
        }
        return v;
    }

    /** Redis's memory units: 1k = 1000, 1kb = 1024, likewise m/mb and g/gb; case-insensitive. */
    static long size(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        long mul = 1;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"},
                {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (lower.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                lower = lower.substring(0, lower.length() - u[0].length());
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(lower), mul);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("argument must be a memory value, got '" + s + "'");
        }
    }

    private static long sizeIn(String s, long min, long max) {
        long v = size(s);
        if (v < min || v > max) {
            throw new IllegalArgumentException("argument must be between " + min + " and " + max + " bytes");
        }
        return v;
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String s) {
        try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("argument must be one of "
                    + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
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

    /** What a TLS setup needs before the proxy can listen or connect with it. */
    private void checkTls(TlsSettings tls) {
        if (port == 0 && tls.port() == 0) {
            throw new ConfigException("port 0 and tls-port 0: no port to accept clients on");
        }
        if (tls.clientSide() && (tls.certFile() == null || tls.keyFile() == null)) {
            throw new ConfigException("tls-port " + tls.port() + " needs tls-cert-file and tls-key-file");
        }
        boolean hasCa = tls.caCertFile() != null || tls.caCertDir() != null;
        if (tls.clientSide() && tls.authClients() != TlsSettings.AuthClients.NO && !hasCa) {
            throw new ConfigException("tls-auth-clients " + tls.authClients().name().toLowerCase(Locale.ROOT)
                    + " needs tls-ca-cert-file or tls-ca-cert-dir to check client certificates against "
                    + "(or tls-auth-clients no)");
        }
        if (tls.backends() && !hasCa) {
            throw new ConfigException("tls-backends yes needs tls-ca-cert-file or tls-ca-cert-dir to check the "
                    + "backends' certificates against");
        }
        if ((tls.clientCertFile() == null) != (tls.clientKeyFile() == null)) {
            throw new ConfigException("tls-client-cert-file and tls-client-key-file go together");
        }
    }

    /** "TLSv1.2 TLSv1.3" (one argument or several), as redis.conf writes it. */
    private static List<String> tlsProtocols(List<String> a) {
        atLeast(a, 1);
        List<String> out = new ArrayList<>();
        for (String arg : a) {
            for (String p : arg.trim().split("\\s+")) {
                if (p.isEmpty()) {
                    continue;
                }
                switch (p.toLowerCase(Locale.ROOT)) {
                    case "tlsv1.2" -> out.add("TLSv1.2");
                    case "tlsv1.3" -> out.add("TLSv1.3");
                    default -> throw new IllegalArgumentException("tls-protocols: unknown protocol '" + p
                            + "' (TLSv1.2, TLSv1.3)");
                }
            }
        }
        return out;
    }

    private static boolean yesNo(String s) {
        if (s.equalsIgnoreCase("yes")) {
            return true;
        }
        if (s.equalsIgnoreCase("no")) {
            return false;
        }
        throw new IllegalArgumentException("argument must be 'yes' or 'no'");
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
