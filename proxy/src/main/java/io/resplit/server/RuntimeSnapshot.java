package io.resplit.server;

import io.resplit.acl.Acl;
import io.resplit.command.CommandTable;
import io.resplit.config.ConfigException;
import io.resplit.config.ProxyConfig;
import io.resplit.route.Router;
import io.resplit.topology.Topology;

/**
 * What the proxy is set to do right now: which nodes serve (the topology), the configuration, and everything
 * derived from it or learnt from the master that changes while it runs. Immutable: a change (a failover or a
 * Sentinel swapping the topology, CONFIG SET, RELOAD, the master's command table, its version or database count)
 * builds a new snapshot, which {@link ProxyContext} publishes whole through one reference, so a request that
 * takes one snapshot sees one consistent state (its master and replicas, its table, the users compiled against
 * that table, and the routing and limits of that config) and never half of a change.
 *
 * @param topology       the master and the replicas (in cluster mode the shard serving slot 0, for what goes to
 *                       one node); failover code reads and swaps it through {@link ProxyContext#topology()}
 * @param config         the current configuration
 * @param table          the command table: the built-in one, or the master's from its COMMAND reply
 * @param router         the routing {@code config} asks for ({@code read-from}, {@code allow-admin-commands})
 * @param acl            the users of {@code config}, compiled against {@code table}
 * @param backendVersion the master's {@code redis_version}, reported by HELLO
 * @param databases      databases SELECT accepts: the configured count, lowered to the master's own when it has
 *                       fewer
 */
public record RuntimeSnapshot(Topology topology, ProxyConfig config, CommandTable table, Router router, Acl acl,
                              String backendVersion, int databases) {

    /** Reported by HELLO until the master tells its own version. */
    static final String ASSUMED_VERSION = "7.0.0";

    /**
     * The snapshot at start: {@code topology}, {@code config} and {@code table}, before the master has been asked
     * anything.
     *
     * @throws ConfigException when the users cannot be built (a bad rule, an unreadable aclfile)
     */
    public static RuntimeSnapshot initial(Topology topology, ProxyConfig config, CommandTable table) {
        return new RuntimeSnapshot(topology, config, table, router(config), users(config, table), ASSUMED_VERSION,
                config.databases());
    }

    /**
     * This snapshot with another configuration: its users and routing are built from it. The database count is
     * fixed at start, so it stays as it is.
     *
     * @throws ConfigException when the users of {@code next} cannot be built; nothing is changed then
     */
    public RuntimeSnapshot withConfig(ProxyConfig next) {
        return new RuntimeSnapshot(topology, next, table, router(next), users(next, table), backendVersion, databases);
    }

    /** This snapshot with another command table; the users are compiled again, as command categories come from it. */
    public RuntimeSnapshot withTable(CommandTable next) {
        return new RuntimeSnapshot(topology, config, next, router, acl.recompile(next), backendVersion, databases);
    }

    /** This snapshot with another master and replicas; everything else stays. */
    public RuntimeSnapshot withTopology(Topology next) {
        return new RuntimeSnapshot(next, config, table, router, acl, backendVersion, databases);
    }

    public RuntimeSnapshot withBackendVersion(String version) {
        return new RuntimeSnapshot(topology, config, table, router, acl, version, databases);
    }

    /** This snapshot with SELECT limited to the master's {@code count} databases when it has fewer than configured. */
    public RuntimeSnapshot withMasterDatabases(int count) {
        return new RuntimeSnapshot(topology, config, table, router, acl, backendVersion,
                Math.min(config.databases(), count));
    }

    /**
     * The users of {@code c} against {@code table}, built only to be checked (RELOAD checks before it applies).
     *
     * @throws ConfigException with the reason
     */
    static Acl users(ProxyConfig c, CommandTable table) {
        try {
            return Acl.build(c.requirepass(), c.acl().users(), c.acl().aclFile(), table);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static Router router(ProxyConfig c) {
        return new Router(c.readFrom(), c.allowAdminCommands());
    }
}
