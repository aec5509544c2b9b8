package io.resplit.admin;

import io.resplit.backend.BackendNode;
import io.resplit.config.ConfigDescriber;
import io.resplit.config.ConfigException;
import io.resplit.config.HostPort;
import io.resplit.config.ProxyConfig;
import io.resplit.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * RELOAD: reads the config file (and the command-line overrides) again and applies what may change at runtime:
 * the runtime settings, and the replica list (replicas added and removed as with REPLICA ADD / REMOVE).
 * Client connections stay open. Anything else that changed is reported as needing a restart.
 */
final class ReloadCommand implements AdminCommand {
    @Override
    public String name() {
        return "RELOAD";
    }

    @Override
    public String usage() {
        return "RELOAD";
    }

    @Override
    public String summary() {
        return "re-read the config file; apply runtime settings and the replica list";
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        if (ctx.reread() == null) {
            return AdminReply.error("the proxy was not started from a config file");
        }
        ProxyConfig next;
        try {
            next = ctx.reread().get();
        } catch (ConfigException e) {
            return AdminReply.error("config not reloaded: " + e.getMessage().strip().replace('\n', ' '));
        }
        ProxyConfig current = ctx.proxy().runtime().config();
        List<String> applied = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        Map<String, String> before = ConfigDescriber.describe(current, true);
        Map<String, String> after = ConfigDescriber.describe(next, true);
        ProxyConfig merged = current;
        for (String key : after.keySet()) {
            if (Objects.equals(before.get(key), after.get(key)) || key.equals("replica") || key.equals("master")) {
                continue;
            }
            if (ConfigDescriber.RUNTIME.contains(key) || ConfigDescriber.RELOADED.contains(key)) {
                applied.add(key);
            } else {
                restart.add(key);
            }
        }
        merged = withRuntime(current, next);
        try {
            ctx.proxy().checkUsers(merged); // before anything is applied: a bad aclfile changes nothing
        } catch (ConfigException e) {
            return AdminReply.error("config not reloaded: " + e.getMessage());
        }
        if (ctx.proxy().tls() != null) {
            // always: the files may have been replaced under the same names (certificate rotation)
            try {
                ctx.proxy().tls().reload(merged.tls());
                applied.add("tls certificates re-read");
            } catch (ConfigException e) {
                return AdminReply.error("config not reloaded: " + e.getMessage() + " (the current certificates "
                        + "stay in use)");
            }
        }
        try {
            ctx.proxy().reconfigure(merged); // always: the aclfile may have changed under the same name
        } catch (ConfigException e) {
            return AdminReply.error("config not reloaded: " + e.getMessage());
        }
        Topology t = ctx.proxy().topology().current();
        List<HostPort> have = new ArrayList<>();
        for (BackendNode n : t.replicas()) {
            have.add(n.address());
        }
        for (HostPort want : next.replicas()) {
            if (!have.contains(want) && ctx.failover().addReplica(want).done()) {
                applied.add("replica added " + want);
            }
        }
        for (HostPort gone : have) {
            if (!next.replicas().contains(gone) && !gone.equals(next.master())
                    && ctx.failover().removeReplica(gone, true).done()) {
                applied.add("replica removed " + gone);
            }
        }
        StringBuilder out = new StringBuilder("applied: ").append(applied.isEmpty() ? "nothing" : applied)
                .append("\r\n");
        if (!restart.isEmpty()) {
            out.append("needs a restart: ").append(restart).append("\r\n");
        }
        if (!current.ha().sentinelMode() && !t.master().address().equals(next.master())) {
            out.append("note: the file names master ").append(next.master()).append(", the proxy uses ")
                    .append(t.master().address()).append(" (FAILOVER or MASTER SET change it)\r\n");
        }
        return AdminReply.text(out.toString());
    }

    /** The TLS files and options of {@code next}, on the ports of {@code current} (a port needs a restart). */
    private static io.resplit.config.TlsSettings withRuntimeTls(io.resplit.config.TlsSettings current,
                                                                io.resplit.config.TlsSettings next) {
        return new io.resplit.config.TlsSettings(current.port(), next.certFile(), next.keyFile(), next.caCertFile(),
                next.caCertDir(), next.authClients(), next.protocols(), next.ciphers(), next.ciphersuites(),
                current.backends(), next.clientCertFile(), next.clientKeyFile());
    }

    /** {@code current} with the runtime settings of {@code next}. */
    private static ProxyConfig withRuntime(ProxyConfig current, ProxyConfig next) {
        return new ProxyConfig(current.bind(), current.port(), next.requirepass(), current.master(),
                current.replicas(), current.masterauth(), current.masteruser(), next.readFrom(),
                current.backendConnections(), current.connectTimeoutMs(), current.healthCheckIntervalMs(),
                current.healthCheckTimeoutMs(), current.timeoutSeconds(), current.maxclients(),
                current.protoMaxBulkLen(), current.clientQueryBufferLimit(), current.ioThreads(),
                current.databases(), next.allowAdminCommands(), current.adminSocket(), current.adminPort(),
                current.adminPassword(), next.replicaMaxLag(), next.failoverHoldTimeoutMs(), next.slowlogLogSlowerThan(),
                next.slowlogMaxLen(), current.metricsPort(),
                current.metricsBind(), current.ha(),
                withRuntimeTls(current.tls(), next.tls()), next.outputBufferLimits(), next.acl(),
                current.blockingPoolSize(), current.trackingTableMaxKeys(), current.ioTransport(), current.source());
    }
}
