package io.resplit.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Load with proof: N client connections each write their own keys in order and read each write back; every
 * acknowledged write is recorded. {@link #stop()} then tells client errors, dropped connections, stale reads
 * of a connection's own writes, and the worst latency; {@link #lostWrites} checks every acknowledged write
 * against a node (the final master). Bounded in time: each client stops after {@code maxSeconds}.
 */
public final class LoadVerifier {
    /** What the load saw. */
    public record Report(long writes, long reads, List<String> errors, long droppedConnections, long staleReads,
                         long maxLatencyMicros, long p99LatencyMicros) {
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> acked = new ConcurrentHashMap<>();    // key -> last acknowledged value
    private final Map<String, Long> attempted = new ConcurrentHashMap<>(); // key -> value of a write without reply
    private final long[][] latencies;
    private final int[] latencyCount;
    private final ExecutorService pool;
    private final List<Future<?>> clients = new ArrayList<>();
    private final String prefix;

    public LoadVerifier(int connections, Supplier<Jedis> connect, int keysPerClient, int maxSeconds) {
        this("lv", connections, connect, keysPerClient, maxSeconds);
    }

    /** As above, with keys named {@code prefix:client:n}, so that several loads can share one master. */
    public LoadVerifier(String prefix, int connections, Supplier<Jedis> connect, int keysPerClient, int maxSeconds) {
        this.prefix = prefix;
        pool = Executors.newFixedThreadPool(connections);
        latencies = new long[connections][200_000];
        latencyCount = new int[connections];
        for (int c = 0; c < connections; c++) {
            int id = c;
            clients.add(pool.submit(() -> run(id, connect, keysPerClient, maxSeconds)));
        }
    }

    public long writes() {
        return writes.get();
    }

    private void run(int id, Supplier<Jedis> connect, int keys, int maxSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        try (Jedis j = connect.get()) {
            for (long i = 1; running.get() && System.nanoTime() < deadline; i++) {
                String key = prefix + ":" + id + ":" + (i % keys);
                long start = System.nanoTime();
                try {
                    attempted.put(key, i);
                    j.set(key, Long.toString(i));
                    acked.put(key, i);
                    writes.incrementAndGet();
                    String back = j.get(key);
                    reads.incrementAndGet();
                    if (!Long.toString(i).equals(back)) {
                        stale.incrementAndGet();
                    }
                } catch (JedisConnectionException e) {
                    dropped.incrementAndGet();
                    errors.add("client " + id + ": " + e);
                    return;
                } catch (RuntimeException e) {
                    errors.add("client " + id + ": " + e.getMessage());
                }
                if (latencyCount[id] < latencies[id].length) {
                    latencies[id][latencyCount[id]++] = (System.nanoTime() - start) / 1000;
                }
            }
        }
    }

    /** Stops the clients and reports. */
    public Report stop() throws Exception {
        running.set(false);
        for (Future<?> f : clients) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        int total = Arrays.stream(latencyCount).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < latencies.length; c++) {
            System.arraycopy(latencies[c], 0, all, at, latencyCount[c]);
            at += latencyCount[c];
        }
        Arrays.sort(all);
        long max = total == 0 ? 0 : all[total - 1];
        long p99 = total == 0 ? 0 : all[(int) Math.min(total - 1, Math.floor(total * 0.99))];
        return new Report(writes.get(), reads.get(), new ArrayList<>(errors), dropped.get(), stale.get(), max, p99);
    }

    /**
     * Acknowledged writes the node does not have: a key must hold its last acknowledged value, or a later
     * value whose write got no reply (it may have run).
     */
    public List<String> lostWrites(Jedis node) {
        List<String> lost = new ArrayList<>();
        Map<String, Long> snapshot = new HashMap<>(acked);
        for (Map.Entry<String, Long> e : snapshot.entrySet()) {
            String v = node.get(e.getKey());
            long have = v == null ? -1 : Long.parseLong(v);
            Long tried = attempted.get(e.getKey());
            if (have != e.getValue() && (tried == null || have != tried)) {
                lost.add(e.getKey() + " acked " + e.getValue() + " but has " + v);
            }
        }
        return lost;
    }

    /**
     * By hand, against any proxy or Redis: {@code LoadVerifier host port password connections seconds}. Runs the
     * load for {@code seconds}, then prints the report and the acknowledged writes the node lacks (run it
     * against the proxy during a failover; the check reads back through the same address).
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: LoadVerifier host port password connections seconds");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String password = args[2];
        int seconds = Integer.parseInt(args[4]);
        Supplier<Jedis> connect = () -> new Jedis(new redis.clients.jedis.HostAndPort(host, port),
                redis.clients.jedis.DefaultJedisClientConfig.builder().password(password).timeoutMillis(30_000).build());
        LoadVerifier load = new LoadVerifier(Integer.parseInt(args[3]), connect, 100, seconds + 5);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        Report report = load.stop();
        System.out.println(report);
        try (Jedis check = connect.get()) {
            List<String> lost = load.lostWrites(check);
            System.out.println("acknowledged writes lost: " + lost.size() + (lost.isEmpty() ? "" : " " + lost));
        }
    }
}
