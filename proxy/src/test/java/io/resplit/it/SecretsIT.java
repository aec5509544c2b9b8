package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Tried as a hostile application would: every reply that could carry the backends' credentials (CONFIG GET
 * under any pattern, INFO, CLIENT LIST/INFO, HELLO, MONITOR with the proxy's own AUTH lines, SLOWLOG, COMMAND
 * DOCS, ACL, error texts) is scanned for the backends' password, its SHA-256 (what ACL LIST shows) and the
 * backend user name, in RESP2 and RESP3.
 */
class SecretsIT {
    private static final String NODE_PASSWORD = "node-secret-7f3a";
    private static final String BACKEND_USER = "resplit-backend-user";
    private static final String BACKEND_PASSWORD = "backend-pass-91c2";

    @Test
    void noReplyToAnApplicationCarriesTheBackendsCredentials() throws Exception {
        try (RedisTopology topology = RedisTopology.start(1, NODE_PASSWORD)) {
            for (RedisServer n : topology.nodes()) {
                try (Jedis j = topology.jedis(n)) {
                    j.aclSetUser(BACKEND_USER, "on", ">" + BACKEND_PASSWORD, "~*", "&*", "+@all");
                    j.configSet("slowlog-log-slower-than", "0"); // every command, the proxy's AUTH included
                }
            }
            try (ProxyUnderTest proxy = ProxyUnderTest.start(topology, "masteruser " + BACKEND_USER,
                    "masterauth " + BACKEND_PASSWORD, "allow-admin-commands no")) {
                List<String> secrets = List.of(NODE_PASSWORD, BACKEND_PASSWORD, sha256(NODE_PASSWORD),
                        sha256(BACKEND_PASSWORD), BACKEND_USER);
                for (int protocol : new int[] {2, 3}) {
                    List<String> replies = replies(proxy, protocol);
                    for (String reply : replies) {
                        for (String secret : secrets) {
                            assertFalse(reply.contains(secret), "RESP" + protocol + " reply carries '" + secret
                                    + "': " + reply.substring(0, Math.min(300, reply.length())));
                        }
                    }
                    assertTrue(replies.size() >= 15, "every probe answered");
                }
            }
        }
    }

    /** The answers to every probe, each as text. */
    private static List<String> replies(ProxyUnderTest proxy, int protocol) throws Exception {
        List<String> out = new ArrayList<>();
        try (RawClient c = new RawClient(proxy.port());
             RawClient monitor = new RawClient(proxy.port())) {
            c.send("HELLO " + protocol + " AUTH default " + ProxyUnderTest.PASSWORD + "\r\n");
            out.add(c.readReplyText());
            monitor.send("AUTH " + ProxyUnderTest.PASSWORD + "\r\nMONITOR\r\n");
            monitor.skipReply();
            monitor.skipReply();
            // a new backend connection (another database) makes the proxy authenticate on the master now,
            // while MONITOR watches
            c.send("SELECT 7\r\nSET secrets:probe 1\r\n");
            out.add(c.readReplyText());
            out.add(c.readReplyText());
            StringBuilder feed = new StringBuilder();
            while (!feed.toString().contains("secrets:probe")) {
                feed.append(monitor.readReplyText());
            }
            out.add(feed.toString());
            assertTrue(feed.toString().toLowerCase(java.util.Locale.ROOT).contains("\"auth\""),
                    "MONITOR showed the proxy's own AUTH (redacted by Redis): " + feed);
            for (String probe : List.of("CONFIG GET *", "CONFIG GET masterauth", "CONFIG GET requirepass",
                    "CONFIG GET masteruser", "CONFIG GET *pass*", "INFO everything", "CLIENT LIST", "CLIENT INFO",
                    "SLOWLOG GET 1000", "COMMAND DOCS", "ACL LIST", "ACL GETUSER " + BACKEND_USER, "ACL WHOAMI",
                    "ACL USERS", "AUTH " + BACKEND_USER + " " + BACKEND_PASSWORD, "AUTH wrong-password",
                    "CONFIG SET masterauth x", "DEBUG OBJECT secrets:probe", "HELLO " + protocol)) {
                c.send(probe + "\r\n");
                out.add(c.readReplyText());
            }
            assertTrue(out.stream().anyMatch(r -> r.contains("maxmemory-policy")), "CONFIG GET * answered");
            assertTrue(out.stream().anyMatch(r -> r.contains("redis_version")), "INFO answered");
        }
        return out;
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
