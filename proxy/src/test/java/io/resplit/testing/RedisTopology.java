package io.resplit.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A Redis master with N replicas, all real {@link RedisServer} processes on 127.0.0.1 sharing one
 * password, for integration tests of the proxy.
 *
 * <p>{@link #start} returns once every replica has completed its initial sync. The helpers read
 * replication state and command statistics straight from the nodes' INFO output, so tests can
 * assert where the proxy sent a command. {@link #close()} stops every process, replicas first,
 * even if stopping one of them fails.
 */
public final class RedisTopology implements AutoCloseable {

    private static final Duration REPLICATION_DEADLINE = Duration.ofSeconds(20);
    private static final int CLIENT_TIMEOUT_MILLIS = 2000;

    private final RedisServer master;
    private final List<RedisServer> replicas;
    private final String password;

    private RedisTopology(RedisServer master, List<RedisServer> replicas, String password) {
        this.master = master;
        this.replicas = List.copyOf(replicas);
        this.password = password;
    }

    /**
     * Starts a master and {@code replicas} replicas, each with {@code requirepass password}; the
     * replicas replicate the master with {@code masterauth password}. Waits (at most 20 s) until
     * the master reports all replicas connected and every replica reports its link up. If
     * anything fails, the processes started so far are stopped before the error is thrown.
     *
     * @param password the password of every node; {@code null} for no authentication
     */
    public static RedisTopology start(int replicas, String password) {
        return start(replicas, password, List.of(), List.of());
    }

    /**
     * Like {@link #start}, for tests in which Sentinel fails over between the nodes: the master
     * also gets {@code masterauth password}, and the replicas also get {@code
     * repl-diskless-sync-delay 0}. After a failover the old master rejoins as a replica of the
     * promoted one and must authenticate to it; without {@code masterauth} its sync would fail
     * with NOAUTH forever. The promoted replica is then the master that serves full syncs, and
     * with the default delay every such sync would wait 5 s.
     *
     * @param password the password of every node; {@code null} for no authentication
     */
    public static RedisTopology startForFailover(int replicas, String password) {
        List<String> masterArgs = password == null
                ? List.of()
                : List.of("--masterauth", password);
        return start(replicas, password, masterArgs, List.of("--repl-diskless-sync-delay", "0"));
    }

    /**
     * Like {@link #start}, with every node TLS-only ({@link RedisServer#startTls}): no plaintext
     * port, client certificates required, and the replicas replicate over TLS (to the master's
     * TLS port, presenting {@code certs}' client certificate). {@link #jedis} and the other
     * helpers connect over TLS with the client certificate. Waits for replication as
     * {@link #start} does. {@code certs} must stay open until the topology is closed.
     *
     * @param password the password of every node; {@code null} for no authentication
     */
    public static RedisTopology startTls(int replicas, String password, TestCertificates certs) {
        if (certs == null) {
            throw new IllegalArgumentException("certs must not be null for a TLS topology");
        }
        return start(replicas, password, List.of(), List.of(), certs);
    }

    /** {@link #start} with further command-line arguments for the master and the replicas. */
    private static RedisTopology start(int replicas, String password, List<String> extraMasterArgs,
            List<String> extraReplicaArgs) {
        return start(replicas, password, extraMasterArgs, extraReplicaArgs, null);
    }

    /** As above; TLS-only nodes if {@code certs} is not null. */
    private static RedisTopology start(int replicas, String password, List<String> extraMasterArgs,
            List<String> extraReplicaArgs, TestCertificates certs) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be >= 0: " + replicas);
        }
        List<RedisServer> started = new ArrayList<>();
        try {
            // Redis 7 defaults to diskless sync with a 5 s delay to batch replicas; that delay
            // would only slow every test (and every restart of a replica) down.
            List<String> masterArgs = new ArrayList<>(List.of("--repl-diskless-sync-delay", "0"));
            masterArgs.addAll(extraMasterArgs);
            RedisServer master = startNode(password, masterArgs, certs);
            started.add(master);
            List<RedisServer> replicaList = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                List<String> args = new ArrayList<>(List.of(
                        "--replicaof", master.host(), Integer.toString(master.port())));
                if (password != null) {
                    args.add("--masterauth");
                    args.add(password);
                }
                args.addAll(extraReplicaArgs);
                RedisServer replica = startNode(password, args, certs);
                started.add(replica);
                replicaList.add(replica);
            }
            RedisTopology topology = new RedisTopology(master, replicaList, password);
            topology.awaitReplicationUp(REPLICATION_DEADLINE);
            return topology;
        } catch (RuntimeException | Error e) {
            closeAll(started, e);
            throw e;
        }
    }

    private static RedisServer startNode(String password, List<String> args,
            TestCertificates certs) {
        return certs == null
                ? RedisServer.start(password, args)
                : RedisServer.startTls(password, certs, args);
    }

    /** The master node. */
    public RedisServer master() {
        return master;
    }

    /** The replica nodes, in start order (unmodifiable). */
    public List<RedisServer> replicas() {
        return replicas;
    }

    /** The password of every node ({@code null} if none). */
    public String password() {
        return password;
    }

    /**
     * Opens a new authenticated connection to {@code node} (over TLS with the client certificate
     * if it is a TLS node); the caller closes it.
     */
    public Jedis jedis(RedisServer node) {
        return jedis(node, Duration.ofMillis(CLIENT_TIMEOUT_MILLIS));
    }

    /**
     * Opens a new authenticated connection to {@code node} with the given connect and read
     * timeout, e.g. a short one to show that a paused node does not answer.
     */
    public Jedis jedis(RedisServer node, Duration timeout) {
        return new Jedis(new HostAndPort(node.host(), node.port()),
                node.jedisConfig(password, timeout));
    }

    /**
     * Waits until the master reports {@code connected_slaves:N} (N = number of replicas) and
     * every replica reports {@code master_link_status:up}, e.g. after a replica was restarted.
     */
    public void awaitReplicationUp(Duration deadline) {
        int expected = replicas.size();
        try {
            Wait.until(deadline, () -> {
                Map<String, String> masterInfo = replicationInfoOrNull(master);
                if (masterInfo == null
                        || !Integer.toString(expected).equals(masterInfo.get("connected_slaves"))) {
                    return false;
                }
                for (RedisServer replica : replicas) {
                    Map<String, String> info = replicationInfoOrNull(replica);
                    if (info == null || !"up".equals(info.get("master_link_status"))) {
                        return false;
                    }
                }
                return true;
            }, "master to see " + expected + " connected replicas and every replica link up");
        } catch (AssertionError e) {
            throw withDiagnostics(e);
        }
    }

    /**
     * Waits until every replica has applied everything the master had written when this method
     * was called: each replica's link is up and its {@code slave_repl_offset} is at least the
     * master's {@code master_repl_offset} read at the start.
     */
    public void awaitReplicasCaughtUp(Duration deadline) {
        // Read the target once: the master's offset keeps growing (e.g. its periodic PINGs to
        // replicas), and chasing a moving target could never finish.
        long target = offset(replicationInfo(master), "master_repl_offset");
        try {
            Wait.until(deadline, () -> {
                for (RedisServer replica : replicas) {
                    Map<String, String> info = replicationInfoOrNull(replica);
                    if (info == null
                            || !"up".equals(info.get("master_link_status"))
                            || offset(info, "slave_repl_offset") < target) {
                        return false;
                    }
                }
                return true;
            }, "every replica to reach the master's replication offset " + target);
        } catch (AssertionError e) {
            throw withDiagnostics(e);
        }
    }

    /**
     * How often {@code node} has executed {@code command} since start or the last
     * {@link #resetStats()}: the {@code calls=} value of {@code cmdstat_<command>} in
     * {@code INFO commandstats}, 0 if the command was never called. The name is matched
     * case-insensitively; subcommands are written as Redis does, e.g. {@code "config|get"}.
     */
    public long commandCalls(RedisServer node, String command) {
        String prefix = "cmdstat_" + command.toLowerCase(Locale.ROOT) + ":";
        String info;
        try (Jedis jedis = jedis(node)) {
            info = jedis.info("commandstats");
        }
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                for (String field : line.substring(prefix.length()).split(",")) {
                    if (field.startsWith("calls=")) {
                        return Long.parseLong(field.substring("calls=".length()));
                    }
                }
                throw new IllegalStateException("no calls= field in: " + line);
            }
        }
        return 0;
    }

    /** Runs {@code CONFIG RESETSTAT} on the master and every replica, zeroing command stats. */
    public void resetStats() {
        for (RedisServer node : nodes()) {
            try (Jedis jedis = jedis(node)) {
                jedis.configResetStat();
            }
        }
    }

    /** Stops every process, replicas first, and deletes their directories. */
    @Override
    public void close() {
        List<RedisServer> order = new ArrayList<>(replicas);
        order.add(master);
        closeAll(order, null);
    }

    /** Master first, then replicas. */
    public List<RedisServer> nodes() {
        List<RedisServer> nodes = new ArrayList<>();
        nodes.add(master);
        nodes.addAll(replicas);
        return nodes;
    }

    /**
     * Closes every server in the given order. Failures do not stop the loop; they are attached
     * to {@code primary} if given, otherwise the first one is thrown after all were tried.
     */
    private static void closeAll(List<RedisServer> servers, Throwable primary) {
        Throwable first = null;
        for (RedisServer server : servers) {
            try {
                server.close();
            } catch (RuntimeException | Error e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException) {
            throw (RuntimeException) first;
        }
        if (first instanceof Error) {
            throw (Error) first;
        }
    }

    private Map<String, String> replicationInfo(RedisServer node) {
        try (Jedis jedis = jedis(node)) {
            return parseInfo(jedis.info("replication"));
        }
    }

    /** Null while the node cannot be reached, so a wait can retry (e.g. during a restart). */
    private Map<String, String> replicationInfoOrNull(RedisServer node) {
        try {
            return replicationInfo(node);
        } catch (JedisException e) {
            return null;
        }
    }

    private static long offset(Map<String, String> info, String field) {
        String value = info.get(field);
        return value == null ? -1 : Long.parseLong(value);
    }

    private static Map<String, String> parseInfo(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    /** Adds every node's INFO replication and log tail, which is what explains a sync failure. */
    private AssertionError withDiagnostics(AssertionError cause) {
        StringBuilder message = new StringBuilder(cause.getMessage());
        for (RedisServer node : nodes()) {
            message.append("\n=== ").append(node == master ? "master " : "replica ").append(node)
                    .append(" ===\n");
            try (Jedis jedis = jedis(node)) {
                message.append(jedis.info("replication").trim()).append('\n');
            } catch (JedisException e) {
                message.append("(INFO failed: ").append(e).append(")\n");
            }
            message.append("--- log ---\n").append(node.logTail(15));
        }
        return new AssertionError(message.toString(), cause);
    }
}
