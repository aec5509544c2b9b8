package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.FreePorts;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.TestCertificates;
import io.resplit.testing.Wait;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * TLS on both sides against TLS-only redis-server nodes ({@code --port 0 --tls-port --tls-auth-clients yes
 * --tls-replication yes}): clients reach the proxy with TLS and a client certificate, the proxy reaches every
 * node with TLS and its own certificate (health checks, failover commands and introspection included).
 */
class TlsIT {
    private static TestCertificates certs;
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() {
        certs = TestCertificates.create();
        topology = RedisTopology.startTls(1, "node-secret", certs);
        proxy = ProxyUnderTest.start(topology, "port 0", "tls-port " + FreePorts.next(),
                "tls-cert-file " + certs.serverCert(), "tls-key-file " + certs.serverKey(),
                "tls-ca-cert-file " + certs.caCert(), "tls-auth-clients yes", "tls-backends yes",
                "tls-client-cert-file " + certs.clientCert(), "tls-client-key-file " + certs.clientKey());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (topology != null) {
            topology.close();
        }
        if (certs != null) {
            certs.close();
        }
    }

    private static Jedis client(SSLSocketFactory factory) {
        return new Jedis(new HostAndPort("127.0.0.1", proxy.tlsPort()), DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(factory).hostnameVerifier((h, s) -> true)
                .password(ProxyUnderTest.PASSWORD).autoNegotiateProtocol(false).timeoutMillis(10_000).build());
    }

    @Test
    void roundTripsOverTlsWithReadsOnTheReplica() {
        RedisServer replica = topology.replicas().get(0);
        try (Jedis j = client(certs.clientSocketFactory())) {
            assertEquals("OK", j.set("tls:k", "v"));
            assertEquals("v", j.get("tls:k")); // read-your-writes: from the master or a caught-up replica
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
        topology.resetStats();
        for (int i = 0; i < 20; i++) {
            try (Jedis fresh = client(certs.clientSocketFactory())) {
                assertEquals("v", fresh.get("tls:k"));
            }
        }
        assertTrue(topology.commandCalls(replica, "get") > 0, "reads reach the replica over TLS");
        assertEquals(0, proxy.port(), "port 0: no plaintext port");
    }

    @Test
    void bothPortsMayBeOpenAtOnce() {
        try (ProxyUnderTest both = ProxyUnderTest.start(topology, "tls-port " + FreePorts.next(),
                "tls-cert-file " + certs.serverCert(), "tls-key-file " + certs.serverKey(),
                "tls-ca-cert-file " + certs.caCert(), "tls-auth-clients optional", "tls-backends yes",
                "tls-client-cert-file " + certs.clientCert(), "tls-client-key-file " + certs.clientKey());
             Jedis plain = both.jedis();
             Jedis tls = new Jedis(new HostAndPort("127.0.0.1", both.tlsPort()), DefaultJedisClientConfig.builder()
                     .ssl(true).sslSocketFactory(certs.socketFactoryWithoutClientCert())
                     .hostnameVerifier((h, s) -> true).password(ProxyUnderTest.PASSWORD)
                     .autoNegotiateProtocol(false).build())) {
            assertTrue(both.port() > 0 && both.tlsPort() > 0);
            assertEquals("OK", plain.set("both:plain", "v"));
            assertEquals("v", plain.get("both:plain"));
            assertEquals("OK", tls.set("both:tls", "w"), "tls-auth-clients optional: no client certificate needed");
            assertEquals("w", tls.get("both:tls"));
        }
    }

    @Test
    void plaintextAndForeignOrMissingClientCertificatesAreRefusedAndTheProxyServesOn() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", proxy.tlsPort())) {
            plain.setSoTimeout(5000);
            plain.getOutputStream().write(("AUTH " + ProxyUnderTest.PASSWORD + "\r\nPING\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(!readsPong(plain.getInputStream()), "plaintext on the TLS port gets no PONG");
        }
        assertThrows(JedisException.class, () -> {
            try (Jedis j = client(certs.socketFactoryWithoutClientCert())) {
                j.ping();
            }
        }, "no client certificate");
        assertThrows(JedisException.class, () -> {
            try (Jedis j = client(certs.otherClientSocketFactory())) {
                j.ping();
            }
        }, "a client certificate from another CA");
        try (Jedis j = client(certs.clientSocketFactory())) {
            assertEquals("PONG", j.ping(), "the proxy serves on");
        }
    }

    @Test
    void rotatedCertificatesServeNewHandshakesAfterReloadWhileOpenConnectionsStay() throws Exception {
        String before = serverFingerprint();
        try (Jedis open = client(certs.clientSocketFactory())) {
            assertEquals("PONG", open.ping());
            String issued = certs.reissueServer();
            assertNotEquals(before, issued);
            assertEquals(before, serverFingerprint(), "until RELOAD, the old certificate");
            String out = proxy.admin("RELOAD");
            assertTrue(out.contains("tls certificates re-read"), out);
            assertEquals(issued, serverFingerprint(), "new handshakes use the new certificate");
            assertEquals("PONG", open.ping(), "the open connection stays open");
            assertEquals("OK", open.set("tls:rotated", "1"));
        }
    }

    @Test
    void aFailoverRunsItsControlCommandsOverTls() {
        RedisServer a = topology.master();
        RedisServer b = topology.replicas().get(0);
        try (Jedis j = client(certs.clientSocketFactory())) {
            for (RedisServer target : java.util.List.of(b, a)) {
                String out = proxy.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(target.port()),
                        "TIMEOUT", "5000");
                assertTrue(out.startsWith("OK master=127.0.0.1:" + target.port()), out);
                assertEquals("OK", j.set("tls:after-failover", target.toString()));
                Wait.until(Duration.ofSeconds(20), () -> {
                    try (Jedis other = topology.jedis(target == a ? b : a)) {
                        return other.info("replication").contains("master_link_status:up");
                    }
                }, "the other node replicating the new master over TLS");
            }
        }
    }

    /** The SHA-256 fingerprint of the certificate the proxy shows a new TLS connection. */
    private static String serverFingerprint() throws IOException {
        try (SSLSocket s = (SSLSocket) certs.clientSocketFactory().createSocket("127.0.0.1", proxy.tlsPort())) {
            s.startHandshake();
            return TestCertificates.fingerprint(s.getSession().getPeerCertificates()[0]);
        }
    }

    private static boolean readsPong(InputStream in) {
        try {
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).contains("PONG");
        } catch (IOException e) {
            return false; // reset or timed out: refused
        }
    }
}
