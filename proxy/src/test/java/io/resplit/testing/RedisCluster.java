package io.resplit.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A real Redis Cluster for tests: {@code masters} × (1 + {@code replicasEach}) {@code redis-server
 * --cluster-enabled yes} nodes on loopback with a password, joined by {@code redis-cli --cluster create}, ready
 * when every node reports {@code cluster_state:ok}. Each node's cluster bus gets a free port of its own
 * ({@code cluster-port}), as port + 10000 may be out of range or taken. {@link #startTls} starts TLS-only nodes
 * whose clients, replication and cluster bus all use TLS.
 */
public final class RedisCluster implements AutoCloseable {
    private final List<RedisServer> nodes;
    private final String password;
    private final TestCertificates certs; // null: plaintext nodes

    private RedisCluster(List<RedisServer> nodes, String password, TestCertificates certs) {
        this.nodes = nodes;
        this.password = password;
        this.certs = certs;
    }

    public static RedisCluster start(int masters, int replicasEach, String password) {
        return start(masters, replicasEach, password, null);
    }

    /**
     * Like {@link #start}, with every node TLS-only ({@link RedisServer#startTls}: no plaintext port) and
     * {@code tls-cluster yes}; {@code certs} must outlive the cluster.
     */
    public static RedisCluster startTls(int masters, int replicasEach, String password, TestCertificates certs) {
        return start(masters, replicasEach, password, java.util.Objects.requireNonNull(certs));
    }

    private static RedisCluster start(int masters, int replicasEach, String password, TestCertificates certs) {
        List<RedisServer> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(nodes, password, certs);
        try {
            for (int i = 0; i < masters * (1 + replicasEach); i++) {
                List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes",
                        "--cluster-port", Integer.toString(FreePorts.next()),
                        "--cluster-node-timeout", "2000", "--masterauth", password));
                if (certs == null) {
                    nodes.add(RedisServer.start(password, args));
                } else {
                    args.addAll(List.of("--tls-cluster", "yes"));
                    nodes.add(RedisServer.startTls(password, certs, args));
                }
            }
            List<String> cmd = new ArrayList<>(cluster.cliPrefix());
            cmd.addAll(List.of("--cluster", "create"));
            nodes.forEach(n -> cmd.add(n.host() + ":" + n.port()));
            cmd.addAll(List.of("--cluster-replicas", Integer.toString(replicasEach), "--cluster-yes"));
            run(cmd, password);
            Wait.until(Duration.ofSeconds(30), () -> nodes.stream().allMatch(cluster::stateOk),
                    "cluster_state:ok on every node");
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private static String run(List<String> cmd, String password) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("REDISCLI_AUTH", password); // not on the command line
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs {@code redis-cli} with {@code args} (e.g. {@code --cluster reshard ...}), authenticated; its output. */
    public String cli(String... args) {
        List<String> cmd = new ArrayList<>(cliPrefix());
        cmd.addAll(List.of(args));
        return run(cmd, password);
    }

    /** {@code redis-cli} with the TLS options of this cluster's nodes, if they are TLS nodes. */
    private List<String> cliPrefix() {
        if (certs == null) {
            return List.of("redis-cli");
        }
        return List.of("redis-cli", "--tls", "--cacert", certs.caCert().toString(), "--cert",
                certs.clientCert().toString(), "--key", certs.clientKey().toString());
    }

    /** The node's cluster id ({@code CLUSTER MYID}). */
    public String id(RedisServer node) {
        try (Jedis j = jedis(node)) {
            return j.clusterMyId();
        }
    }

    /** The nodes that are masters now. */
    public List<RedisServer> masters() {
        List<RedisServer> out = new ArrayList<>();
        for (RedisServer n : nodes) {
            try (Jedis j = jedis(n)) {
                if ("master".equals(j.role().get(0))) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** The replicas of {@code master} now, by its cluster id. */
    public List<RedisServer> replicasOf(RedisServer master) {
        String id = id(master);
        List<RedisServer> out = new ArrayList<>();
        for (RedisServer n : nodes) {
            try (Jedis j = jedis(n)) {
                if (j.clusterNodes().lines().anyMatch(l -> l.contains("myself") && l.contains(" " + id + " "))) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    private boolean stateOk(RedisServer node) {
        try (Jedis j = jedis(node)) {
            return j.clusterInfo().contains("cluster_state:ok");
        }
    }

    public List<RedisServer> nodes() {
        return nodes;
    }

    public String password() {
        return password;
    }

    /** An authenticated connection to one node (not cluster-aware: it gets MOVED for other shards' keys). */
    public Jedis jedis(RedisServer node) {
        if (certs != null) {
            return new Jedis(new HostAndPort(node.host(), node.port()),
                    node.jedisConfig(password, Duration.ofSeconds(10)));
        }
        return new Jedis(new HostAndPort(node.host(), node.port()),
                DefaultJedisClientConfig.builder().password(password).timeoutMillis(10_000).build());
    }

    @Override
    public void close() {
        for (RedisServer n : nodes) {
            n.close();
        }
    }
}
