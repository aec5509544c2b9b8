package io.resplit.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A configuration as directive -> value text, the way CONFIG GET shows it; and which directives may change
 * while the proxy runs. Passwords show as "(set)".
 */
public final class ConfigDescriber {
    /** Directives CONFIG SET and RELOAD apply at once; the others need a restart. */
    public static final Set<String> RUNTIME = Set.of("requirepass", "read-from", "replica-max-lag",
            "failover-hold-timeout", "allow-admin-commands", "slowlog-log-slower-than", "slowlog-max-len",
            "client-output-buffer-limit");

    /**
     * Directives RELOAD applies besides the runtime ones: the users (RELOAD also re-reads the aclfile) and the
     * TLS files and options (new handshakes use them); the TLS port and tls-backends need a restart.
     */
    public static final Set<String> RELOADED = Set.of("user", "aclfile","tls-cert-file", "tls-key-file", "tls-ca-cert-file",
            "tls-ca-cert-dir", "tls-auth-clients", "tls-protocols", "tls-ciphers", "tls-ciphersuites",
            "tls-client-cert-file", "tls-client-key-file");

    private ConfigDescriber() {
    }

    public static Map<String, String> describe(ProxyConfig c) {
        return describe(c, false);
    }

    /** With {@code reveal}, passwords appear as they are (to compare two configurations, never to show). */
    public static Map<String, String> describe(ProxyConfig c, boolean reveal) {
        java.util.function.Function<String, String> secret = reveal ? s -> s == null ? "" : s : ConfigDescriber::secret;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bind", String.join(" ", c.bind()));
        m.put("port", Integer.toString(c.port()));
        m.put("requirepass", secret.apply(c.requirepass()));
        m.put("master", c.master().host() + " " + c.master().port());
        m.put("replica", String.join(", ", c.replicas().stream().map(r -> r.host() + " " + r.port()).toList()));
        m.put("masterauth", secret.apply(c.masterauth()));
        m.put("masteruser", c.masteruser() == null ? "" : c.masteruser());
        m.put("read-from", c.readFrom().name().toLowerCase(Locale.ROOT));
        m.put("backend-connections", Integer.toString(c.backendConnections()));
        m.put("connect-timeout", Integer.toString(c.connectTimeoutMs()));
        m.put("health-check-interval", Integer.toString(c.healthCheckIntervalMs()));
        m.put("health-check-timeout", Integer.toString(c.healthCheckTimeoutMs()));
        m.put("timeout", Integer.toString(c.timeoutSeconds()));
        m.put("maxclients", Integer.toString(c.maxclients()));
        m.put("proto-max-bulk-len", Long.toString(c.protoMaxBulkLen()));
        m.put("client-query-buffer-limit", Long.toString(c.clientQueryBufferLimit()));
        m.put("io-threads", Integer.toString(c.ioThreads()));
        m.put("databases", Integer.toString(c.databases()));
        m.put("allow-admin-commands", c.allowAdminCommands().isEmpty() ? "no"
                : c.allowAdminCommands().contains(ProxyConfig.ALL) ? "yes" : String.join(" ", c.allowAdminCommands()));
        m.put("admin-socket", c.adminSocket() == null ? "" : c.adminSocket());
        m.put("admin-port", Integer.toString(c.adminPort()));
        m.put("admin-password", secret.apply(c.adminPassword()));
        m.put("replica-max-lag", Long.toString(c.replicaMaxLag()));
        m.put("failover-hold-timeout", Integer.toString(c.failoverHoldTimeoutMs()));
        m.put("slowlog-log-slower-than", Long.toString(c.slowlogLogSlowerThan()));
        m.put("slowlog-max-len", Integer.toString(c.slowlogMaxLen()));
        m.put("metrics-port", Integer.toString(c.metricsPort()));
        m.put("metrics-bind", c.metricsBind());
        HighAvailability ha = c.ha();
        m.put("sentinel-master", ha.sentinelMaster() == null ? "" : ha.sentinelMaster());
        m.put("sentinel", String.join(", ", ha.sentinels().stream().map(s -> s.host() + " " + s.port()).toList()));
        m.put("sentinel-user", ha.sentinelUser() == null ? "" : ha.sentinelUser());
        m.put("sentinel-password", secret.apply(ha.sentinelPassword()));
        m.put("sentinel-poll-interval", Integer.toString(ha.sentinelPollMs()));
        m.put("cluster-node", String.join(", ", ha.clusterNodes().stream().map(s -> s.host() + " " + s.port())
                .toList()));
        m.put("write-ack-replicas", Integer.toString(ha.writeAckReplicas()));
        m.put("write-ack-timeout", Integer.toString(ha.writeAckTimeoutMs()));
        m.put("replica-discovery", ha.replicaDiscovery() ? "yes" : "no");
        m.put("client-output-buffer-limit", "normal " + c.outputBufferLimits().normal() + " pubsub "
                + c.outputBufferLimits().pubsub());
        // names only, unless comparing two configurations: the rules hold passwords
        m.put("blocking-pool-size", Integer.toString(c.blockingPoolSize()));
        m.put("tracking-table-max-keys", Long.toString(c.trackingTableMaxKeys()));
        m.put("io-transport", c.ioTransport());
        m.put("user", reveal ? c.acl().users().toString() : String.join(", ", c.acl().names()));
        m.put("aclfile", orEmpty(c.acl().aclFile()));
        TlsSettings tls = c.tls();
        m.put("tls-port", Integer.toString(tls.port()));
        m.put("tls-cert-file", orEmpty(tls.certFile()));
        m.put("tls-key-file", orEmpty(tls.keyFile()));
        m.put("tls-ca-cert-file", orEmpty(tls.caCertFile()));
        m.put("tls-ca-cert-dir", orEmpty(tls.caCertDir()));
        m.put("tls-auth-clients", tls.authClients().name().toLowerCase(Locale.ROOT));
        m.put("tls-protocols", String.join(" ", tls.protocols()));
        m.put("tls-ciphers", orEmpty(tls.ciphers()));
        m.put("tls-ciphersuites", orEmpty(tls.ciphersuites()));
        m.put("tls-backends", tls.backends() ? "yes" : "no");
        m.put("tls-client-cert-file", orEmpty(tls.clientCertFile()));
        m.put("tls-client-key-file", orEmpty(tls.clientKeyFile()));
        return m;
    }

    /** The directives whose values differ from the defaults, as "name value" pairs (passwords as "(set)"). */
    public static String changedFromDefaults(ProxyConfig c) {
        Map<String, String> defaults = describe(ProxyConfig.defaults());
        java.util.List<String> out = new java.util.ArrayList<>();
        describe(c).forEach((name, value) -> {
            if (!value.equals(defaults.get(name))) {
                out.add(name + " " + (value.isEmpty() ? "\"\"" : value));
            }
        });
        return out.isEmpty() ? "all defaults" : String.join(", ", out);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String secret(String s) {
        return s == null || s.isEmpty() ? "" : "(set)";
    }
}
