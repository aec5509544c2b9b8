package io.resplit.testing;

import io.resplit.Resplit;
import io.resplit.config.ConfigParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A resplit proxy started in this JVM in front of a {@link RedisTopology}: listens on a free loopback port,
 * authenticates to the nodes with the topology's password and to clients with {@link #PASSWORD}.
 */
public final class ProxyUnderTest implements AutoCloseable {
    public static final String PASSWORD = "proxy-secret";

    private final Resplit proxy;
    private final java.nio.file.Path adminSocket;

    private ProxyUnderTest(Resplit proxy, java.nio.file.Path adminSocket) {
        this.proxy = proxy;
        this.adminSocket = adminSocket;
    }

    /** Starts a proxy; {@code extraLines} are config directives appended after the defaults. */
    public static ProxyUnderTest start(RedisTopology topology, String... extraLines) {
        return startWith(backendLines(topology, extraLines), extraLines);
    }

    /** Starts a proxy in cluster mode in front of {@code cluster} (every node a {@code cluster-node} seed). */
    public static ProxyUnderTest start(RedisCluster cluster, String... extraLines) {
        StringBuilder conf = new StringBuilder();
        for (RedisServer n : cluster.nodes()) {
            conf.append("cluster-node 127.0.0.1 ").append(n.port()).append('\n');
        }
        conf.append("masterauth ").append(cluster.password()).append('\n');
        return startWith(conf.toString(), extraLines);
    }

    private static ProxyUnderTest startWith(String backendLines, String... extraLines) {
        IllegalStateException lastBindFailure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return start(backendLines, FreePorts.next(), extraLines);
            } catch (IllegalStateException e) {
                if (String.valueOf(e.getMessage()).contains("could not bind")) {
                    lastBindFailure = e; // another process took the free port first: try another
                    continue;
                }
                throw e;
            }
        }
        throw lastBindFailure;
    }

    /** The master and replica lines for {@code topology} (none for replicas when the extra lines name some). */
    private static String backendLines(RedisTopology topology, String... extraLines) {
        StringBuilder conf = new StringBuilder();
        conf.append("master 127.0.0.1 ").append(topology.master().port()).append('\n');
        boolean ownReplicas = java.util.Arrays.stream(extraLines).anyMatch(l -> l.startsWith("replica "));
        for (RedisServer r : ownReplicas ? List.<RedisServer>of() : topology.replicas()) {
            conf.append("replica 127.0.0.1 ").append(r.port()).append('\n');
        }
        if (topology.password() != null) {
            conf.append("masterauth ").append(topology.password()).append('\n');
        }
        return conf.toString();
    }

    /**
     * Starts a proxy on {@code port} ({@code port 0} in Redis's sense, no plaintext port, is set by an extra
     * line, as is a {@code tls-port}).
     */
    private static ProxyUnderTest start(String backendLines, int port, String... extraLines) {
        StringBuilder conf = new StringBuilder();
        conf.append("bind 127.0.0.1\nport ").append(port).append("\nrequirepass ").append(PASSWORD).append('\n');
        conf.append(backendLines);
        java.nio.file.Path socket;
        try {
            socket = java.nio.file.Files.createTempDirectory("resplit-admin").resolve("admin.sock");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        conf.append("admin-socket ").append(socket).append('\n');
        for (String line : extraLines) {
            conf.append(line).append('\n');
        }
        try {
            // written to a file so that RELOAD can read it again
            java.nio.file.Path file = socket.getParent().resolve("resplit.conf");
            java.nio.file.Files.writeString(file, conf.toString());
            String[] args = {file.toString()};
            Resplit proxy = new Resplit(ConfigParser.fromArgs(args), args);
            try {
                proxy.start();
            } catch (RuntimeException e) {
                proxy.close(); // whatever started before the failure (event loops, monitors) stops too
                throw e;
            }
            return new ProxyUnderTest(proxy, socket);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return proxy.port();
    }

    /** The TLS port (with a {@code tls-port} line), else 0. */
    public int tlsPort() {
        return proxy.tlsPort();
    }

    /** The config file the proxy was started from (edit it, then RELOAD). */
    public java.nio.file.Path configFile() {
        return adminSocket.getParent().resolve("resplit.conf");
    }

    public Resplit proxy() {
        return proxy;
    }

    /** A new Jedis connection to the proxy, authenticated. */
    public Jedis jedis() {
        return new Jedis(new HostAndPort("127.0.0.1", port()),
                DefaultJedisClientConfig.builder().password(PASSWORD).timeoutMillis(10_000).build());
    }

    /** A new Jedis connection that has not authenticated. */
    public Jedis anonymousJedis() {
        return new Jedis(new HostAndPort("127.0.0.1", port()),
                DefaultJedisClientConfig.builder().timeoutMillis(10_000).build());
    }

    /** Runs redis-cli against the proxy (authenticated) and returns its standard output, trimmed. */
    public String redisCli(String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port()),
                "-a", PASSWORD, "--no-auth-warning"));
        cmd.addAll(List.of(args));
        return run(cmd, 20);
    }

    /** Runs an admin console command ({@code redis-cli -s admin.sock ...}) and returns its output, trimmed. */
    public String admin(String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-s", adminSocket.toString()));
        cmd.addAll(List.of(args));
        return run(cmd, 60);
    }

    /** Runs a command to completion (bounded) and returns its output, standard error included, trimmed. */
    private static String run(List<String> cmd, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("did not finish: " + cmd);
            }
            return out.strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How many connections the proxy holds to {@code node} for client traffic (named "resplit" there). */
    public static long dataConnections(RedisTopology topology, RedisServer node) {
        try (Jedis j = topology.jedis(node)) {
            return j.clientList().lines().filter(l -> l.contains(" name=resplit ")).count();
        }
    }

    @Override
    public void close() {
        proxy.close();
        try {
            java.nio.file.Files.deleteIfExists(adminSocket);
            java.nio.file.Files.deleteIfExists(configFile());
            java.nio.file.Files.deleteIfExists(adminSocket.getParent());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
