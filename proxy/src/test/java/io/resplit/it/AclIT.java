package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The proxy's own users ({@code user} lines, {@code aclfile}): AUTH and HELLO AUTH per user, commands, keys and
 * channels allowed and refused, with the very error texts Redis gives the same users (the master gets the same
 * rules through ACL SETUSER and is asked the same things), ACL WHOAMI/LIST/USERS without secrets, and RELOAD.
 */
class AclIT {
    private static final List<String> APP = List.of("on", ">app-pass", "~app:*", "%R~shared:*", "&news.*", "+@all",
            "-@dangerous");
    private static final List<String> READER = List.of("on", ">reader-pass", "~*", "resetchannels", "-@all", "+get",
            "+ping", "+acl|whoami", "+multi", "+exec");

    @Test
    void usersAreCheckedAsRedisChecksThem() throws Exception {
        Path aclFile = Files.createTempFile("resplit-users", ".acl");
        Files.writeString(aclFile, "# users from a file\nuser fromfile on >file-pass ~* &* +@all\n");
        // no replica: a fresh connection's read would otherwise race the replication of the probes' writes
        try (RedisTopology topology = RedisTopology.start(0, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "user app " + String.join(" ", APP),
                     "user reader " + String.join(" ", READER), "user sleeper off >x ~* +@all",
                     "aclfile " + aclFile)) {
            try (Jedis m = topology.jedis(topology.master())) {
                m.aclSetUser("app", APP.toArray(String[]::new));
                m.aclSetUser("reader", READER.toArray(String[]::new));
            }
            List<String[]> probes = List.of(
                    new String[] {"app", "app-pass", "SET", "app:1", "v"},
                    new String[] {"app", "app-pass", "SET", "other", "v"},
                    new String[] {"app", "app-pass", "GET", "shared:1"},
                    new String[] {"app", "app-pass", "SET", "shared:1", "v"},
                    new String[] {"app", "app-pass", "MGET", "app:1", "other"},
                    new String[] {"app", "app-pass", "FLUSHALL"},
                    new String[] {"app", "app-pass", "PUBLISH", "news.today", "hi"},
                    new String[] {"app", "app-pass", "PUBLISH", "sport", "hi"},
                    new String[] {"reader", "reader-pass", "GET", "app:1"},
                    new String[] {"reader", "reader-pass", "SET", "app:1", "v"},
                    new String[] {"reader", "reader-pass", "CLIENT", "ID"},
                    new String[] {"reader", "reader-pass", "PUBLISH", "news.today", "hi"});
            List<String> direct = new ArrayList<>();
            List<String> proxied = new ArrayList<>();
            for (String[] p : probes) {
                direct.add(run(topology.master().port(), p[0], p[1], p));
                proxied.add(run(proxy.port(), p[0], p[1], p));
            }
            System.out.println("ACL probes through the proxy: " + proxied);
            assertEquals(direct, proxied, "the same answers and NOPERM texts as Redis");
            assertTrue(proxied.stream().filter(s -> s.startsWith("NOPERM")).count() >= 7, proxied.toString());

            try (Jedis j = proxy.anonymousJedis()) {
                assertThrows(JedisDataException.class, () -> j.auth("app", "wrong"), "wrong password");
                JedisDataException off = assertThrows(JedisDataException.class, () -> j.auth("sleeper", "x"));
                assertTrue(off.getMessage().startsWith("WRONGPASS invalid username-password pair or user is disabled"),
                        off.getMessage());
                assertEquals("OK", j.auth("fromfile", "file-pass"), "a user from the aclfile");
                assertEquals("fromfile", j.aclWhoAmI());
                assertEquals(List.of("default", "app", "reader", "sleeper", "fromfile"), j.aclUsers());
                List<String> list = j.aclList();
                String all = String.join("\n", list);
                assertTrue(all.contains("user app on ~app:* %R~shared:* &news.* +@all -@dangerous"), all);
                for (String secret : List.of("app-pass", "reader-pass", "file-pass", ProxyUnderTest.PASSWORD)) {
                    assertFalse(all.contains(secret), "ACL LIST shows no password: " + all);
                }
                assertTrue(j.clientInfo().contains(" user=fromfile"), j.clientInfo());
            }
            try (Jedis j = proxy.anonymousJedis()) { // HELLO 3 AUTH, then a transaction with a refused command
                j.sendCommand(Protocol.Command.HELLO, "3", "AUTH", "reader", "reader-pass");
                assertEquals("reader", j.aclWhoAmI());
                j.sendCommand(Protocol.Command.MULTI);
                assertThrows(JedisDataException.class, () -> j.sendCommand(Protocol.Command.SET, "k", "v"));
                JedisDataException abort = assertThrows(JedisDataException.class,
                        () -> j.sendCommand(Protocol.Command.EXEC));
                assertTrue(abort.getMessage().startsWith("EXECABORT"), abort.getMessage());
            }

            // RELOAD: the reader gets a new password and the SET command; an open connection follows at once
            try (Jedis open = proxy.anonymousJedis()) {
                open.auth("reader", "reader-pass");
                assertThrows(JedisDataException.class, () -> open.set("r:1", "v"));
                String conf = Files.readString(proxy.configFile()).replace("user reader " + String.join(" ", READER),
                        "user reader on >new-pass ~* -@all +get +set +ping +acl|whoami +multi +exec");
                Files.writeString(proxy.configFile(), conf);
                String out = proxy.admin("RELOAD");
                assertTrue(out.contains("user"), out);
                assertEquals("OK", open.set("r:1", "v"), "the open connection has the new rights");
                try (Jedis fresh = proxy.anonymousJedis()) {
                    assertThrows(JedisDataException.class, () -> fresh.auth("reader", "reader-pass"));
                    assertEquals("OK", fresh.auth("reader", "new-pass"));
                }
            }
        } finally {
            Files.deleteIfExists(aclFile);
        }
    }

    /** AUTH as {@code user}, run the probe's command, and return its reply or error text. */
    private static String run(int port, String user, String pass, String[] probe) {
        try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .autoNegotiateProtocol(false).timeoutMillis(5000).build())) {
            j.auth(user, pass);
            String[] args = java.util.Arrays.copyOfRange(probe, 3, probe.length);
            Object reply = j.sendCommand(Protocol.Command.valueOf(probe[2]), args);
            return reply instanceof byte[] b ? new String(b) : String.valueOf(reply);
        } catch (JedisDataException e) {
            return e.getMessage();
        }
    }
}
