package io.resplit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * N real Redis Sentinel processes ({@code redis-server sentinel.conf --sentinel}) on 127.0.0.1,
 * all monitoring one master, for integration tests of failover handling.
 *
 * <p>Each sentinel gets its own temporary directory holding its {@code sentinel.conf} (Sentinel
 * rewrites that file whenever its view changes, so it must be a writable file, not command-line
 * arguments) and its log. The timings are shortened for tests: the master counts as down after
 * 1 s without a reply, and the failover timeout is a parameter.
 *
 * <p>{@link #start} returns only once the sentinels form a working group: every one answers
 * PING, sees the master up, knows the expected replicas with a working link, and has discovered
 * every other sentinel (they find each other through hello messages published on the nodes every
 * 2 s, so this takes a few seconds). {@link #close()} kills every process and deletes the
 * directories; a JVM shutdown hook does the same for sentinels a test forgot to close.
 */
public final class Sentinels implements AutoCloseable {

    /** Failover timeout used when none is given; also bounds how long a stuck failover lasts. */
    public static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(10);

    private static final String HOST = "127.0.0.1";
    private static final String EXECUTABLE = "redis-server";
    private static final Duration PING_DEADLINE = Duration.ofSeconds(10);
    /** Discovery of replicas and peer sentinels: hello messages every 2 s, INFO every 10 s. */
    private static final Duration DISCOVERY_DEADLINE = Duration.ofSeconds(30);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(10);
    private static final Duration CLIENT_TIMEOUT = Duration.ofMillis(2000);
    private static final int DOWN_AFTER_MILLIS = 1000;
    /** Another process may grab a port from {@link FreePorts} before Sentinel binds it; retry. */
    private static final int PORT_ATTEMPTS = 3;
    private static final int DIAGNOSTIC_TAIL_LINES = 15;

    /** Groups whose processes may still run; the shutdown hook kills these. */
    private static final Set<Sentinels> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Sentinels sentinels : LIVE) {
                try {
                    sentinels.close();
                } catch (RuntimeException | Error e) {
                    // Best effort while the JVM exits: try the remaining groups regardless.
                }
            }
        }, "redis-sentinel-reaper"));
    }

    private final String masterName;
    private final String sentinelPassword;
    /**
     * Grows while {@link #start} launches processes, so a failed start can close the rest.
     * Copy-on-write because the shutdown hook may read it from another thread.
     */
    private final List<Instance> instances = new CopyOnWriteArrayList<>();

    private Sentinels(String masterName, String sentinelPassword) {
        this.masterName = masterName;
        this.sentinelPassword = sentinelPassword;
    }

    /**
     * Starts {@code count} sentinels monitoring {@code master} with quorum {@code count / 2 + 1}
     * and the {@link #DEFAULT_FAILOVER_TIMEOUT}, and waits until they know every replica the
     * master has right now (its {@code connected_slaves}) and each other.
     *
     * @param count how many sentinels; normally 3
     * @param masterName the name the sentinels monitor the master under
     * @param master the master node; its replicas are found by Sentinel through its INFO
     * @param nodePassword the password of the master and its replicas ({@code sentinel
     *     auth-pass}); {@code null} if the nodes have none
     * @param sentinelPassword if not null, every sentinel requires it from clients
     *     ({@code requirepass}) and uses it with its peers ({@code sentinel sentinel-pass})
     * @throws AssertionError if a sentinel does not start or the group does not form within 30 s
     */
    public static Sentinels start(int count, String masterName, RedisServer master,
            String nodePassword, String sentinelPassword) {
        int replicas = connectedReplicas(master, nodePassword);
        return start(count, masterName, master, nodePassword, sentinelPassword, replicas,
                DEFAULT_FAILOVER_TIMEOUT);
    }

    /**
     * Starts {@code count} sentinels monitoring the master of {@code topology} with its password,
     * and waits until they know all of its replicas and each other.
     *
     * @see #start(int, String, RedisServer, String, String)
     */
    public static Sentinels start(int count, String masterName, RedisTopology topology,
            String sentinelPassword) {
        return start(count, masterName, topology.master(), topology.password(), sentinelPassword,
                topology.replicas().size(), DEFAULT_FAILOVER_TIMEOUT);
    }

    /**
     * Starts {@code count} sentinels monitoring {@code master} and waits until they know
     * {@code expectedReplicas} replicas and each other. If anything fails, the sentinels started
     * so far are stopped before the error is thrown.
     *
     * @param expectedReplicas how many replicas every sentinel must know, with a working link,
     *     before this returns
     * @param failoverTimeout {@code sentinel failover-timeout}: how long a failover may take
     *     before it is aborted; also, twice this is the pause before the same master is failed
     *     over again
     * @see #start(int, String, RedisServer, String, String)
     */
    public static Sentinels start(int count, String masterName, RedisServer master,
            String nodePassword, String sentinelPassword, int expectedReplicas,
            Duration failoverTimeout) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1: " + count);
        }
        if (expectedReplicas < 0) {
            throw new IllegalArgumentException("expectedReplicas must be >= 0: " + expectedReplicas);
        }
        // A majority, so that (as in production) no minority of sentinels can declare the
        // master objectively down on its own.
        int quorum = count / 2 + 1;
        String config = config(masterName, master, quorum, nodePassword, sentinelPassword,
                failoverTimeout);
        Sentinels sentinels = new Sentinels(masterName, sentinelPassword);
        LIVE.add(sentinels);
        try {
            for (int i = 0; i < count; i++) {
                sentinels.startOne(config);
            }
            sentinels.awaitGroupFormed(expectedReplicas, DISCOVERY_DEADLINE);
            return sentinels;
        } catch (RuntimeException | Error e) {
            try {
                sentinels.close();
            } catch (RuntimeException | Error closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /** The ports of all sentinels, in start order (also those of killed ones). */
    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        for (Instance instance : instances) {
            ports.add(instance.port);
        }
        return List.copyOf(ports);
    }

    /** How many sentinels were started (including killed ones). */
    public int size() {
        return instances.size();
    }

    /** The name under which the sentinels monitor the master. */
    public String masterName() {
        return masterName;
    }

    /** The password clients must send to the sentinels ({@code null} if none). */
    public String password() {
        return sentinelPassword;
    }

    /** Whether sentinel {@code i}'s process runs (false after {@link #kill(int)}). */
    public boolean isAlive(int i) {
        Process p = instance(i).process;
        return p != null && p.isAlive();
    }

    /** Opens a new authenticated connection to sentinel {@code i}; the caller closes it. */
    public Jedis jedis(int i) {
        return new Jedis(new HostAndPort(HOST, instance(i).port),
                RedisServer.clientConfig(sentinelPassword, CLIENT_TIMEOUT));
    }

    /**
     * The master address sentinel {@code i} currently gives out, as {@code "host:port"}, from
     * {@code SENTINEL GET-MASTER-ADDR-BY-NAME}; this is what a Sentinel-aware client would use.
     *
     * @throws AssertionError if the sentinel does not know the master name
     */
    public String masterAddress(int i) {
        try (Jedis jedis = jedis(i)) {
            List<String> address = jedis.sentinelGetMasterAddrByName(masterName);
            if (address == null || address.size() != 2) {
                throw new AssertionError("sentinel " + i + " does not know master " + masterName
                        + ": " + address);
            }
            return address.get(0) + ":" + address.get(1);
        }
    }

    /**
     * Waits until every live sentinel names {@code 127.0.0.1:masterPort} as the master, e.g.
     * after a failover. The others learn the new address from the hello messages of the
     * sentinel that runs the failover, which announces the promoted replica as soon as it
     * reports {@code role:master}. So this can return while that sentinel is still re-pointing
     * the remaining replicas ({@code +switch-master} in its log comes up to a second or so
     * later), and before the old master rejoins as a replica (after about 10 s).
     */
    public void awaitAllAgree(int masterPort, Duration deadline) {
        String expected = HOST + ":" + masterPort;
        try {
            Wait.until(deadline, () -> {
                for (int i = 0; i < instances.size(); i++) {
                    if (isAlive(i) && !expected.equals(masterAddressOrNull(i))) {
                        return false;
                    }
                }
                return true;
            }, "every live sentinel to name " + expected + " as master " + masterName);
        } catch (AssertionError e) {
            throw withDiagnostics(e);
        }
    }

    /**
     * Waits until every live sentinel lists at least {@code n} replicas of the master that it
     * can use for a failover: reachable (flags exactly {@code slave}, no {@code s_down} or
     * {@code disconnected}) and reporting its link to the master up. Sentinel must have read the
     * replica's own INFO for that, not just seen it in the master's INFO.
     */
    public void awaitReplicasKnown(int n, Duration deadline) {
        try {
            Wait.until(deadline, () -> {
                for (int i = 0; i < instances.size(); i++) {
                    if (isAlive(i) && usableReplicasOrMinusOne(i) < n) {
                        return false;
                    }
                }
                return true;
            }, "every live sentinel to know " + n + " usable replicas of " + masterName);
        } catch (AssertionError e) {
            throw withDiagnostics(e);
        }
    }

    /**
     * Kills sentinel {@code i} with SIGKILL (a crash) and waits until it has exited. The others
     * keep listing it (flagged {@code s_down} after a second); a failover still works as long as
     * a majority of all sentinels is alive.
     */
    public void kill(int i) {
        instance(i).kill();
    }

    /**
     * The last {@code lines} lines of sentinel {@code i}'s log, followed by anything it printed
     * to stdout/stderr (errors before the log file is opened end up there). Sentinel logs its
     * state changes as events such as {@code +sdown}, {@code +try-failover}, {@code
     * +switch-master}.
     */
    public String logTail(int i, int lines) {
        Instance instance = instance(i);
        StringBuilder out = new StringBuilder(tail(instance.logFile, lines));
        String early = tail(instance.stdoutFile, lines);
        if (!early.isBlank()) {
            out.append("--- stdout/stderr ---\n").append(early);
        }
        return out.toString();
    }

    /** Kills every sentinel and deletes the directories. Safe to call more than once. */
    @Override
    public void close() {
        Throwable first = null;
        for (Instance instance : instances) {
            try {
                instance.close();
            } catch (RuntimeException | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        LIVE.remove(this);
        if (first instanceof RuntimeException) {
            throw (RuntimeException) first;
        }
        if (first instanceof Error) {
            throw (Error) first;
        }
    }

    @Override
    public String toString() {
        return "sentinels " + ports() + " monitoring " + masterName;
    }

    /** One {@code sentinel.conf}; the port, dir and log file are added per sentinel. */
    private static String config(String masterName, RedisServer master, int quorum,
            String nodePassword, String sentinelPassword, Duration failoverTimeout) {
        String name = quote(masterName);
        StringBuilder conf = new StringBuilder();
        if (sentinelPassword != null) {
            conf.append("requirepass ").append(quote(sentinelPassword)).append('\n');
            // Since Redis 6.2 sentinels no longer use their requirepass towards their peers;
            // without sentinel-pass they could not talk to each other.
            conf.append("sentinel sentinel-pass ").append(quote(sentinelPassword)).append('\n');
        }
        // The per-master settings must follow the monitor line that defines the master.
        conf.append("sentinel monitor ").append(name).append(' ').append(master.host()).append(' ')
                .append(master.port()).append(' ').append(quorum).append('\n');
        if (nodePassword != null) {
            conf.append("sentinel auth-pass ").append(name).append(' ').append(quote(nodePassword))
                    .append('\n');
        }
        conf.append("sentinel down-after-milliseconds ").append(name).append(' ')
                .append(DOWN_AFTER_MILLIS).append('\n');
        conf.append("sentinel failover-timeout ").append(name).append(' ')
                .append(failoverTimeout.toMillis()).append('\n');
        conf.append("sentinel parallel-syncs ").append(name).append(" 1\n");
        return conf.toString();
    }

    /**
     * Quotes a value for the config file (its parser splits on spaces and understands C-style
     * escapes inside double quotes), so passwords with spaces or quotes survive.
     */
    private static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private void startOne(String sharedConfig) {
        AssertionError lastBindFailure = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            Path dir;
            try {
                dir = Files.createTempDirectory("resplit-sentinel-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temp dir for a sentinel", e);
            }
            Instance instance = new Instance(instances.size(), FreePorts.next(), dir);
            instances.add(instance);
            try {
                instance.launchAndAwaitPing(sharedConfig);
                return;
            } catch (RuntimeException | Error e) {
                boolean portTaken = logTail(instance.index, DIAGNOSTIC_TAIL_LINES)
                        .contains("Address already in use");
                instances.remove(instances.size() - 1);
                try {
                    instance.close();
                } catch (RuntimeException | Error closeFailure) {
                    e.addSuppressed(closeFailure);
                }
                if (!portTaken) {
                    throw e;
                }
                lastBindFailure = new AssertionError("port taken by another process", e);
            }
        }
        throw new AssertionError("sentinel could not bind a free port in " + PORT_ATTEMPTS
                + " attempts", lastBindFailure);
    }

    private void awaitGroupFormed(int expectedReplicas, Duration deadline) {
        int peers = instances.size() - 1;
        try {
            Wait.until(deadline, () -> {
                for (int i = 0; i < instances.size(); i++) {
                    if (!formed(i, expectedReplicas, peers)) {
                        return false;
                    }
                }
                return true;
            }, instances.size() + " sentinels to see master " + masterName + " up, "
                    + expectedReplicas + " usable replicas and " + peers + " peer sentinels each");
        } catch (AssertionError e) {
            throw withDiagnostics(e);
        }
    }

    /** Whether sentinel {@code i} sees the master up, the replicas usable and all peers. */
    private boolean formed(int i, int expectedReplicas, int peers) {
        Instance instance = instance(i);
        if (!instance.process.isAlive()) {
            // Waiting longer cannot help: fail now with the reason from the log.
            throw new AssertionError("sentinel " + i + " on port " + instance.port
                    + " exited with code " + instance.process.exitValue() + "\n"
                    + logTail(i, DIAGNOSTIC_TAIL_LINES));
        }
        try (Jedis jedis = jedis(i)) {
            if (!"master".equals(jedis.sentinelMaster(masterName).get("flags"))) {
                return false;
            }
            if (countUsable(jedis.sentinelReplicas(masterName), "slave") != expectedReplicas) {
                return false;
            }
            return countUsable(jedis.sentinelSentinels(masterName), "sentinel") == peers;
        } catch (JedisException e) {
            // Not reachable yet, or still loading its config: try again.
            return false;
        }
    }

    private int usableReplicasOrMinusOne(int i) {
        try (Jedis jedis = jedis(i)) {
            return countUsable(jedis.sentinelReplicas(masterName), "slave");
        } catch (JedisException e) {
            return -1;
        }
    }

    /**
     * Counts the entries whose flags are exactly {@code flags}: any extra flag (s_down,
     * disconnected, ...) means Sentinel could not use that instance right now. Replicas must also
     * report their master link up, which Sentinel only knows after reading their INFO.
     */
    private static int countUsable(List<Map<String, String>> entries, String flags) {
        int usable = 0;
        for (Map<String, String> entry : entries) {
            boolean linkOk = !"slave".equals(flags) || "ok".equals(entry.get("master-link-status"));
            if (flags.equals(entry.get("flags")) && linkOk) {
                usable++;
            }
        }
        return usable;
    }

    private String masterAddressOrNull(int i) {
        try {
            return masterAddress(i);
        } catch (JedisException | AssertionError e) {
            return null;
        }
    }

    private Instance instance(int i) {
        if (i < 0 || i >= instances.size()) {
            throw new IndexOutOfBoundsException("no sentinel " + i + " (there are "
                    + instances.size() + ")");
        }
        return instances.get(i);
    }

    /** Reads {@code connected_slaves} from the master's INFO replication. */
    private static int connectedReplicas(RedisServer master, String password) {
        String info;
        try (Jedis jedis = new Jedis(new HostAndPort(master.host(), master.port()),
                RedisServer.clientConfig(password, CLIENT_TIMEOUT))) {
            info = jedis.info("replication");
        }
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("connected_slaves:")) {
                return Integer.parseInt(line.substring("connected_slaves:".length()).trim());
            }
        }
        throw new IllegalStateException("no connected_slaves in INFO replication of " + master
                + ":\n" + info);
    }

    /**
     * Adds every sentinel's view (master address, master flags, whether it is in TILT mode, in
     * which it refuses to act after a stall of the process) and log tail.
     */
    private AssertionError withDiagnostics(AssertionError cause) {
        StringBuilder message = new StringBuilder(cause.getMessage());
        for (int i = 0; i < instances.size(); i++) {
            Instance instance = instances.get(i);
            message.append("\n=== sentinel ").append(i).append(' ').append(HOST).append(':')
                    .append(instance.port).append(isAlive(i) ? "" : " (dead)").append(" ===\n");
            if (isAlive(i)) {
                try (Jedis jedis = jedis(i)) {
                    Map<String, String> master = jedis.sentinelMaster(masterName);
                    message.append("master ").append(master.get("ip")).append(':')
                            .append(master.get("port")).append(" flags=").append(master.get("flags"))
                            .append(" replicas=").append(master.get("num-slaves"))
                            .append(" other-sentinels=").append(master.get("num-other-sentinels"))
                            .append(" failover-state=").append(master.get("failover-state"))
                            .append('\n');
                    for (String line : jedis.info("sentinel").split("\r?\n")) {
                        if (line.startsWith("sentinel_tilt:")) {
                            message.append(line).append('\n');
                        }
                    }
                } catch (JedisException e) {
                    message.append("(query failed: ").append(e).append(")\n");
                }
            }
            message.append("--- log ---\n").append(logTail(i, DIAGNOSTIC_TAIL_LINES));
        }
        return new AssertionError(message.toString(), cause);
    }

    private static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "";
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return last.isEmpty() ? "" : String.join("\n", last) + "\n";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")\n";
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            // Deepest first, so directories are empty when their turn comes.
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /** One sentinel process with its directory. */
    private final class Instance {
        private final int index;
        private final int port;
        private final Path dir;
        private final Path confFile;
        private final Path logFile;
        private final Path stdoutFile;
        private volatile Process process;

        Instance(int index, int port, Path dir) {
            this.index = index;
            this.port = port;
            this.dir = dir;
            this.confFile = dir.resolve("sentinel.conf");
            this.logFile = dir.resolve("sentinel.log");
            this.stdoutFile = dir.resolve("stdout.log");
        }

        void launchAndAwaitPing(String sharedConfig) {
            String conf = "port " + port + "\n"
                    + "bind " + HOST + "\n"
                    + "dir " + quote(dir.toString()) + "\n"
                    + "logfile " + quote(logFile.toString()) + "\n"
                    + sharedConfig;
            try {
                Files.writeString(confFile, conf, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + confFile, e);
            }
            List<String> command = List.of(EXECUTABLE, confFile.toString(), "--sentinel");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    // To a file, not a pipe: an unread pipe can fill up and block the process.
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(stdoutFile.toFile()));
            Process started;
            try {
                started = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + EXECUTABLE
                        + "; is redis-server installed and on PATH? " + e.getMessage(), e);
            }
            process = started;
            awaitPing(started, command);
        }

        private void awaitPing(Process started, List<String> command) {
            String[] lastError = {"none"};
            try {
                Wait.until(PING_DEADLINE, () -> {
                    if (!started.isAlive()) {
                        throw new AssertionError("sentinel on port " + port + " exited with code "
                                + started.exitValue() + " during startup; command: " + command
                                + "\n" + logTail(index, DIAGNOSTIC_TAIL_LINES));
                    }
                    try (Jedis jedis = jedis(index)) {
                        return "PONG".equals(jedis.ping());
                    } catch (JedisException e) {
                        lastError[0] = e.toString();
                        return false;
                    }
                }, "sentinel on port " + port + " to answer PING");
            } catch (AssertionError e) {
                if (!started.isAlive()) {
                    throw e;
                }
                throw new AssertionError(e.getMessage() + "; last error: " + lastError[0] + "\n"
                        + logTail(index, DIAGNOSTIC_TAIL_LINES), e);
            }
        }

        void kill() {
            Process p = process;
            if (p == null) {
                return;
            }
            // destroyForcibly() is SIGKILL on Linux.
            p.destroyForcibly();
            try {
                if (!p.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("sentinel pid " + p.pid() + " on port " + port
                            + " did not exit within " + STOP_DEADLINE.toMillis()
                            + " ms after SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for a sentinel to exit", e);
            }
        }

        void close() {
            try {
                kill();
            } finally {
                deleteRecursively(dir);
            }
        }
    }
}
