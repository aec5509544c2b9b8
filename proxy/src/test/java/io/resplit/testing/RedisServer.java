package io.resplit.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLSocketFactory;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One real {@code redis-server} child process on 127.0.0.1, for integration tests.
 *
 * <p>The server gets its own temporary directory (working dir and log file), no persistence, and
 * all configuration on the command line. {@link #start} returns only once the server answers
 * PING. The process can be killed, paused (SIGSTOP), resumed and restarted on the same port to
 * simulate failures. {@link #close()} always stops the process and removes the directory; a JVM
 * shutdown hook kills any server a test forgot to close, so no redis-server outlives the test JVM
 * (unless that JVM itself is SIGKILLed).
 *
 * <p>{@link #startTls} starts a TLS-only server instead (no plaintext port, client certificates
 * required); the harness then talks to it over TLS with the client certificate of its
 * {@link TestCertificates}.
 */
public final class RedisServer implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final String EXECUTABLE = "redis-server";
    private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(10);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(10);
    private static final Duration SIGNAL_DEADLINE = Duration.ofSeconds(5);
    /** Another process may grab a port from {@link FreePorts} before redis binds it; retry then. */
    private static final int PORT_ATTEMPTS = 3;
    private static final int DEFAULT_TAIL_LINES = 40;

    /** Servers whose process may still run; the shutdown hook kills these. */
    private static final Set<RedisServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (RedisServer server : LIVE) {
                try {
                    server.close();
                } catch (RuntimeException | Error e) {
                    // Best effort while the JVM exits: try the remaining servers regardless.
                }
            }
        }, "redis-server-reaper"));
    }

    private final int port;
    private final String password;
    private final List<String> command;
    private final Path dir;
    private final Path logFile;
    private final Path stdoutFile;
    /** Null for a plaintext server. */
    private final TestCertificates certs;
    /** Trusts the CA and presents the client certificate; null for a plaintext server. */
    private final SSLSocketFactory tlsSocketFactory;
    private volatile Process process;
    private volatile boolean closed;

    private RedisServer(int port, String password, List<String> extraArgs, Path dir) {
        this(port, password, extraArgs, dir, null);
    }

    /** With {@code certs}, the server listens only on a TLS port, which is {@code port}. */
    private RedisServer(int port, String password, List<String> extraArgs, Path dir,
            TestCertificates certs) {
        this.port = port;
        this.password = password;
        this.dir = dir;
        this.logFile = dir.resolve("redis.log");
        this.stdoutFile = dir.resolve("stdout.log");
        this.certs = certs;
        this.tlsSocketFactory = certs == null ? null : certs.clientSocketFactory();
        List<String> cmd = new ArrayList<>(List.of(EXECUTABLE));
        if (certs == null) {
            cmd.addAll(List.of("--port", Integer.toString(port)));
        } else {
            cmd.addAll(List.of(
                    // Port 0 turns the plaintext listener off: TLS is the only way in.
                    "--port", "0",
                    "--tls-port", Integer.toString(port),
                    "--tls-cert-file", certs.serverCert().toString(),
                    "--tls-key-file", certs.serverKey().toString(),
                    "--tls-ca-cert-file", certs.caCert().toString(),
                    "--tls-auth-clients", "yes",
                    "--tls-replication", "yes",
                    // Outgoing connections (a replica's link to its master) would otherwise
                    // present server.crt, whose extended key usage is serverAuth only; a master
                    // with tls-auth-clients yes rejects that ("unsupported certificate").
                    "--tls-client-cert-file", certs.clientCert().toString(),
                    "--tls-client-key-file", certs.clientKey().toString()));
        }
        cmd.addAll(List.of(
                "--bind", HOST,
                // No RDB snapshots and no AOF: tests must not depend on, or leave, disk state.
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--logfile", logFile.toString()));
        if (password != null) {
            cmd.add("--requirepass");
            cmd.add(password);
        }
        cmd.addAll(extraArgs);
        this.command = List.copyOf(cmd);
    }

    /**
     * Starts a redis-server on a free loopback port and waits until it answers PING.
     *
     * @param password if not null, passed as {@code --requirepass} and used for the PING check
     * @param extraArgs further command-line arguments, e.g. {@code "--replicaof", "127.0.0.1",
     *     "6379"}
     * @throws IllegalStateException if redis-server is not on PATH
     * @throws AssertionError if the server exits or does not answer PING within 10 s
     */
    public static RedisServer start(String password, String... extraArgs) {
        return start(password, List.of(extraArgs));
    }

    /** Same as {@link #start(String, String...)} with the extra arguments as a list. */
    public static RedisServer start(String password, List<String> extraArgs) {
        return start(password, extraArgs, null);
    }

    /**
     * Starts a TLS-only redis-server on a free loopback port and waits until it answers PING
     * over TLS. The plaintext port is off ({@code --port 0}); {@link #port()} is the TLS port.
     * The server uses {@code certs}' server certificate and key, trusts its CA, requires client
     * certificates ({@code tls-auth-clients yes}) and replicates over TLS
     * ({@code tls-replication yes}) presenting {@code certs}' client certificate. Every
     * connection the harness opens to it ({@link RedisTopology#jedis}, the PING check, ...) uses
     * TLS with the client certificate.
     *
     * @param password if not null, passed as {@code --requirepass} and used for the PING check
     * @param certs the certificates; the server reads the files at start, {@link #restart()} and
     *     {@link #reloadTls()}, so they must outlive the server
     * @param extraArgs further command-line arguments, e.g. {@code "--replicaof", "127.0.0.1",
     *     "6379"}
     */
    public static RedisServer startTls(String password, TestCertificates certs,
            String... extraArgs) {
        return startTls(password, certs, List.of(extraArgs));
    }

    /** Same as {@link #startTls(String, TestCertificates, String...)} with a list. */
    public static RedisServer startTls(String password, TestCertificates certs,
            List<String> extraArgs) {
        if (certs == null) {
            throw new IllegalArgumentException("certs must not be null for a TLS server");
        }
        return start(password, extraArgs, certs);
    }

    /** Starts a plaintext server if {@code certs} is null, else a TLS-only one. */
    private static RedisServer start(String password, List<String> extraArgs,
            TestCertificates certs) {
        requireExecutableOnPath();
        AssertionError lastBindFailure = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            Path dir;
            try {
                dir = Files.createTempDirectory("resplit-redis-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temp dir for redis-server", e);
            }
            RedisServer server = new RedisServer(FreePorts.next(), password, extraArgs, dir, certs);
            try {
                server.launchAndAwaitPing();
                return server;
            } catch (RuntimeException | Error e) {
                boolean portTaken = server.logTail(DEFAULT_TAIL_LINES).contains("Address already in use");
                server.close();
                if (!portTaken) {
                    throw e;
                }
                lastBindFailure = new AssertionError("port taken by another process", e);
            }
        }
        throw new AssertionError("redis-server could not bind a free port in " + PORT_ATTEMPTS
                + " attempts", lastBindFailure);
    }

    /** The loopback address the server listens on: {@code "127.0.0.1"}. */
    public String host() {
        return HOST;
    }

    /**
     * The TCP port; it stays the same across {@link #restart()}. For a {@link #startTls TLS}
     * server this is the TLS port (there is no plaintext one).
     */
    public int port() {
        return port;
    }

    /** Whether this server was started with {@link #startTls} and speaks only TLS. */
    public boolean isTls() {
        return certs != null;
    }

    /**
     * Makes a TLS server load its certificate and key files again, e.g. after
     * {@link TestCertificates#reissueServer()}: redis-server reads them only at start and on
     * {@code CONFIG SET tls-cert-file/tls-key-file}, which reloads even when the paths are
     * unchanged. New connections then get the new certificate; open ones keep the old session.
     *
     * @throws IllegalStateException if this is a plaintext server
     */
    public void reloadTls() {
        if (certs == null) {
            throw new IllegalStateException(this + " does not use TLS");
        }
        try (Jedis jedis = new Jedis(new HostAndPort(HOST, port),
                jedisConfig(password, Duration.ofSeconds(2)))) {
            // One CONFIG SET for both, so redis never pairs a new certificate with the old key.
            String reply = jedis.configSet(
                    "tls-cert-file", certs.serverCert().toString(),
                    "tls-key-file", certs.serverKey().toString());
            if (!"OK".equals(reply)) {
                throw new AssertionError(this + " did not reload its TLS files: " + reply);
            }
        }
    }

    /** The OS process id of the current process; changes on {@link #restart()}. */
    public long pid() {
        return requireProcess().pid();
    }

    /** Whether the process is running (a paused process counts as running). */
    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Kills the process with SIGKILL (a crash, no shutdown) and waits until it has exited. */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        // destroyForcibly() is SIGKILL on Linux; it also ends a SIGSTOPped process.
        p.destroyForcibly();
        try {
            if (!p.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("redis-server pid " + p.pid() + " on port " + port
                        + " did not exit within " + STOP_DEADLINE.toMillis() + " ms after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for redis-server to exit", e);
        }
        LIVE.remove(this);
    }

    /**
     * Freezes the process with SIGSTOP and waits until the kernel reports it stopped. The port
     * stays open (the kernel still completes TCP handshakes) but nothing is answered, which is
     * how a hung server looks to clients.
     */
    public void pause() {
        signal("STOP");
        Wait.until(SIGNAL_DEADLINE, () -> isStopped(), "redis-server on port " + port + " to be stopped");
    }

    /** Continues a {@link #pause() paused} process with SIGCONT and waits until it runs again. */
    public void resume() {
        signal("CONT");
        Wait.until(SIGNAL_DEADLINE, () -> !isStopped(), "redis-server on port " + port + " to continue");
    }

    /**
     * Starts the server again on the same port with the same arguments and waits for PING. A
     * still-running process is killed first.
     */
    public void restart() {
        if (closed) {
            throw new IllegalStateException("redis-server on port " + port + " is closed");
        }
        kill();
        launchAndAwaitPing();
    }

    /** The last 40 lines of the server's output, for assertion messages. */
    public String logTail() {
        return logTail(DEFAULT_TAIL_LINES);
    }

    /**
     * The last {@code lines} lines of the server's log file, followed by anything it printed to
     * stdout/stderr (errors before the log file is opened, such as bad arguments, end up there).
     */
    public String logTail(int lines) {
        StringBuilder out = new StringBuilder();
        out.append(tail(logFile, lines));
        String early = tail(stdoutFile, lines);
        if (!early.isBlank()) {
            out.append("--- stdout/stderr ---\n").append(early);
        }
        return out.toString();
    }

    /**
     * Stops the process (SIGKILL: there is nothing to persist, and it works on a paused process
     * too) and deletes the temporary directory. Safe to call more than once.
     */
    @Override
    public void close() {
        closed = true;
        try {
            kill();
        } finally {
            deleteRecursively(dir);
        }
    }

    @Override
    public String toString() {
        return "redis-server " + HOST + ":" + port + (certs == null ? "" : " (TLS)");
    }

    private void launchAndAwaitPing() {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                // To a file, not a pipe: an unread pipe can fill up and block the server.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdoutFile.toFile()));
        Process started;
        try {
            started = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + EXECUTABLE
                    + "; is redis-server installed and on PATH? " + e.getMessage(), e);
        }
        process = started;
        LIVE.add(this);
        awaitPing(started);
    }

    private void awaitPing(Process started) {
        String[] lastError = {"none"};
        DefaultJedisClientConfig config = jedisConfig(password, Duration.ofMillis(1000));
        try {
            Wait.until(STARTUP_DEADLINE, () -> {
                if (!started.isAlive()) {
                    // Waiting longer cannot help: fail now with the reason from the log.
                    throw new AssertionError("redis-server on port " + port + " exited with code "
                            + started.exitValue() + " during startup; command: " + command
                            + "\n" + logTail());
                }
                try (Jedis jedis = new Jedis(new HostAndPort(HOST, port), config)) {
                    return "PONG".equals(jedis.ping());
                } catch (JedisException e) {
                    // Not listening yet, or still loading: try again.
                    lastError[0] = e.toString();
                    return false;
                }
            }, "redis-server on port " + port + " to answer PING");
        } catch (AssertionError e) {
            if (!started.isAlive()) {
                throw e;
            }
            throw new AssertionError(e.getMessage() + "; last error: " + lastError[0]
                    + "\n" + logTail(), e);
        }
    }

    /**
     * Jedis settings for harness connections: plain RESP2 and AUTH only, no HELLO or CLIENT
     * SETINFO on connect, so the harness adds as little as possible to a node's command stats.
     */
    static DefaultJedisClientConfig clientConfig(String password, Duration timeout) {
        int millis = Math.toIntExact(timeout.toMillis());
        return DefaultJedisClientConfig.builder()
                .password(password)
                .autoNegotiateProtocol(false)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .build();
    }

    /**
     * {@link #clientConfig(String, Duration)} for connections to this server: over TLS with the
     * client certificate if it is a TLS server.
     */
    DefaultJedisClientConfig jedisConfig(String password, Duration timeout) {
        if (tlsSocketFactory == null) {
            return clientConfig(password, timeout);
        }
        int millis = Math.toIntExact(timeout.toMillis());
        return DefaultJedisClientConfig.builder()
                .password(password)
                .autoNegotiateProtocol(false)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .ssl(true)
                .sslSocketFactory(tlsSocketFactory)
                // The factory checks the chain against the test CA; the certificate names
                // localhost and 127.0.0.1 anyway, so the name check would add nothing.
                .hostnameVerifier((host, session) -> true)
                .build();
    }

    private void signal(String signal) {
        long pid = pid();
        if (!isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(SIGNAL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new AssertionError("kill -" + signal + " " + pid + " did not finish");
            }
            if (kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while signalling " + this, e);
        }
    }

    /** Reads the process state from /proc: 'T' means stopped by a signal. */
    private boolean isStopped() {
        Path stat = Path.of("/proc", Long.toString(pid()), "stat");
        try {
            String text = Files.readString(stat, StandardCharsets.US_ASCII);
            // Format: "pid (comm) S ..."; comm may contain spaces or ')', so use the last ')'.
            int afterComm = text.lastIndexOf(')');
            char state = text.charAt(afterComm + 2);
            return state == 'T' || state == 't';
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stat + " (process gone?)", e);
        }
    }

    private Process requireProcess() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException(this + " was never started");
        }
        return p;
    }

    private static void requireExecutableOnPath() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, EXECUTABLE))) {
                    return;
                }
            }
        }
        throw new IllegalStateException(EXECUTABLE + " was not found on PATH (" + path
                + "); install Redis 7 (e.g. apt-get install redis-server) to run integration tests");
    }

    private static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "";
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return last.isEmpty() ? "" : String.join("\n", last) + "\n";
        } catch (IOException | UncheckedIOException e) {
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
}
