package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.FreePorts;
import io.resplit.testing.MetricsEndpoint;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * The slow-command log: requests slower than slowlog-log-slower-than are kept with who sent them and which
 * node answered, read over the admin console (Unix socket with redis-cli, TCP port with Jedis).
 */
class SlowLogIT {
    private static final String ADMIN_PASSWORD = "admin-secret";
    /** A script that keeps the master busy for 200 ms (DEBUG SLEEP is disabled in Redis 7 by default). */
    private static final String BUSY_200_MS = "local s = redis.call('TIME') repeat local n = redis.call('TIME') "
            + "until (n[1] - s[1]) * 1e6 + n[2] - s[2] >= 200000 return 1"; // under 128 bytes: kept whole

    private static ProtocolCommand command(String name) {
        return () -> name.getBytes(StandardCharsets.US_ASCII);
    }

    /** A proxy whose admin console also listens on TCP, so that Jedis can read SLOWLOG GET's nested arrays. */
    private static ProxyUnderTest proxy(RedisTopology topology, int adminPort, String... more) {
        String[] lines = new String[more.length + 2];
        lines[0] = "admin-port " + adminPort;
        lines[1] = "admin-password " + ADMIN_PASSWORD;
        System.arraycopy(more, 0, lines, 2, more.length);
        return ProxyUnderTest.start(topology, lines);
    }

    private static Jedis admin(int port) {
        Jedis j = new Jedis("127.0.0.1", port);
        j.auth(ADMIN_PASSWORD);
        return j;
    }

    private static String text(Object bulk) {
        return new String((byte[]) bulk, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> entries(Jedis admin, String... getArgs) {
        String[] args = new String[getArgs.length + 1];
        args[0] = "GET";
        System.arraycopy(getArgs, 0, args, 1, getArgs.length);
        return (List<Object>) admin.sendCommand(command("SLOWLOG"), args);
    }

    @SuppressWarnings("unchecked")
    private static List<String> argsOf(Object entry) {
        return ((List<Object>) ((List<Object>) entry).get(3)).stream().map(SlowLogIT::text).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSlowRequestIsLoggedWithItsClientAndNode() throws Exception {
        int adminPort = FreePorts.next();
        int metricsPort = FreePorts.next();
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = proxy(topology, adminPort, "slowlog-log-slower-than 100000",
                     "metrics-port " + metricsPort);
             Jedis admin = admin(adminPort)) {
            long before = System.currentTimeMillis() / 1000;
            try (Jedis j = proxy.jedis()) {
                j.clientSetname("slow-app");
                j.set("sl:k", "v");
                j.get("sl:k");
                assertEquals(1L, j.eval(BUSY_200_MS));
                j.get("sl:k");
            }
            assertEquals(1L, admin.sendCommand(command("SLOWLOG"), "LEN"));
            List<Object> entries = entries(admin);
            assertEquals(1, entries.size(), "only the script was slower than 100 ms");
            List<Object> e = (List<Object>) entries.get(0);
            assertEquals(8, e.size(), "Redis's six fields, then route and node: " + e);
            assertEquals(0L, e.get(0));
            long at = (Long) e.get(1);
            assertTrue(at >= before && at <= System.currentTimeMillis() / 1000 + 1, "unix time " + at);
            long micros = (Long) e.get(2);
            assertTrue(micros >= 200_000 && micros < 10_000_000, "took " + micros + " µs");
            assertEquals(List.of("EVAL", BUSY_200_MS, "0"), argsOf(e));
            assertTrue(text(e.get(4)).startsWith("127.0.0.1:"), text(e.get(4)));
            assertEquals("slow-app", text(e.get(5)));
            assertEquals("master", text(e.get(6)));
            assertEquals("127.0.0.1:" + topology.master().port(), text(e.get(7)));

            String console = proxy.admin("SLOWLOG", "GET");
            assertTrue(console.contains("slow-app") && console.contains("redis.call('TIME')"), console);

            assertEquals("OK", proxy.admin("SLOWLOG", "RESET"));
            assertEquals("0", proxy.admin("SLOWLOG", "LEN"));
            // the metric counts entries added, as the entry ids do: RESET does not take it back
            String metrics = MetricsEndpoint.get(metricsPort, "/metrics").body();
            assertTrue(metrics.contains("\nresplit_slowlog_entries_total 1.0\n"), metrics);
            assertTrue(proxy.admin("SLOWLOG", "GET", "-2").contains("count should be greater than or equal to -1"));
            assertTrue(proxy.admin("SLOWLOG", "NOPE").contains("syntax"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void thresholdAndLengthChangeAtRuntimeAndArgumentsAreShortened() {
        int adminPort = FreePorts.next();
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             // MIGRATE is an admin command (it moves keys elsewhere, with credentials of its own)
             ProxyUnderTest proxy = proxy(topology, adminPort, "allow-admin-commands migrate");
             Jedis admin = admin(adminPort);
             Jedis j = proxy.jedis()) {
            j.get("sl:none");
            assertEquals(0L, admin.sendCommand(command("SLOWLOG"), "LEN"), "the default threshold is 10 ms");

            assertEquals("OK", text(admin.sendCommand(command("CONFIG"), "SET", "slowlog-log-slower-than", "0")));
            j.set("sl:big", "x".repeat(300));
            try (Jedis reader = proxy.jedis()) { // no writes of its own: its reads go to the replica
                reader.get("sl:big");
            }
            int closed = FreePorts.next(); // nothing listens there: MIGRATE fails, after the proxy timed it
            try {
                j.sendCommand(command("MIGRATE"), "127.0.0.1", Integer.toString(closed), "sl:big", "0", "100",
                        "AUTH", "migrate-password");
            } catch (redis.clients.jedis.exceptions.JedisDataException expected) {
                assertTrue(expected.getMessage().contains("IOERR"), expected.getMessage());
            }
            List<Object> all = entries(admin, "-1");
            assertEquals(3, all.size(), "every request with a threshold of 0: " + all);
            List<String> migrate = argsOf(all.get(0));
            assertEquals("(redacted)", migrate.get(7), "the password is not kept: " + migrate);
            assertTrue(!String.join(" ", migrate).contains("migrate-password"));
            assertEquals(List.of("get", "sl:big"), argsOf(all.get(1)).stream().map(s -> s.toLowerCase()).toList());
            assertEquals("replica", text(((List<Object>) all.get(1)).get(6)));
            assertEquals("127.0.0.1:" + topology.replicas().get(0).port(), text(((List<Object>) all.get(1)).get(7)));
            assertEquals("x".repeat(128) + "... (172 more bytes)", argsOf(all.get(2)).get(2));

            // a blocking command is not logged, also when it blocks on the pinned connection of a WATCH
            assertEquals("OK", j.watch("sl:watched"));
            assertEquals(null, j.blpop(0.2, "sl:empty-list"));
            j.unwatch();
            assertTrue(entries(admin, "-1").stream().noneMatch(e -> argsOf(e).get(0).equalsIgnoreCase("blpop")),
                    "BLPOP under WATCH is not in the slow log");

            admin.sendCommand(command("CONFIG"), "SET", "slowlog-max-len", "1");
            assertEquals(1L, admin.sendCommand(command("SLOWLOG"), "LEN"), "a shorter length drops the oldest");
            admin.sendCommand(command("CONFIG"), "SET", "slowlog-log-slower-than", "-1");
            admin.sendCommand(command("SLOWLOG"), "RESET");
            j.set("sl:k", "v");
            j.get("sl:k");
            assertEquals(0L, admin.sendCommand(command("SLOWLOG"), "LEN"), "a negative threshold logs nothing");
        }
    }
}
