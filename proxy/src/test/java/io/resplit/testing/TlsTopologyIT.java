package io.resplit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Proves the TLS test harness: a TLS-only master and replica replicating over TLS, reachable only
 * with a client certificate from the test CA, and server certificate rotation.
 *
 * <p>One topology is shared by all tests, because starting it is most of the cost; no test
 * restarts a node, and the rotation test only swaps the master's certificate for another one from
 * the same CA, which every other test accepts as well.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTopologyIT {

    private static final String PASSWORD = "s3cret-tls-harness";
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final int TIMEOUT_MILLIS = 2000;

    private static TestCertificates certs;
    private static RedisTopology topology;

    @BeforeAll
    static void startTopology() {
        certs = TestCertificates.create();
        topology = RedisTopology.startTls(1, PASSWORD, certs);
    }

    @AfterAll
    static void stopTopology() {
        // Processes first: they hold the certificate files open by path until they exit.
        try {
            if (topology != null) {
                topology.close();
            }
        } finally {
            if (certs != null) {
                certs.close();
            }
        }
    }

    @Test
    void writeOnMasterOverTlsIsReadFromReplicaOverTls() {
        RedisServer master = topology.master();
        RedisServer replica = topology.replicas().get(0);
        assertTrue(master.isTls() && replica.isTls(), "both nodes should be TLS servers");

        try (Jedis jedis = topology.jedis(master)) {
            assertEquals("OK", jedis.set("tls:key", "over-tls"));
        }
        // The replica has no plaintext port and neither has the master, so the value can only
        // have travelled over the TLS replication link.
        try (Jedis jedis = topology.jedis(replica)) {
            Wait.until(DEADLINE, () -> "over-tls".equals(jedis.get("tls:key")),
                    "replica " + replica + " to return tls:key");
        }
        topology.awaitReplicasCaughtUp(DEADLINE);
        assertEquals(1, topology.commandCalls(master, "set"));
    }

    @Test
    void plaintextConnectionToTlsPortFails() throws IOException {
        RedisServer master = topology.master();
        assertThrows(JedisConnectionException.class, () -> {
            try (Jedis jedis = new Jedis(new HostAndPort(master.host(), master.port()),
                    DefaultJedisClientConfig.builder().password(PASSWORD)
                            .autoNegotiateProtocol(false)
                            .timeoutMillis(TIMEOUT_MILLIS).build())) {
                jedis.ping();
            }
        }, "a plaintext client must not get through the TLS port");

        // Raw: redis takes the bytes for a broken TLS handshake and closes the connection,
        // rather than leaving the client to time out.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(master.host(), master.port()), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer;
            try {
                answer = readAll(socket.getInputStream());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("server neither answered nor closed the connection", e);
            } catch (IOException e) {
                answer = "(reset: " + e.getMessage() + ")";
            }
            assertTrue(!answer.contains("PONG"), "plaintext PING was answered: " + answer);
        }
    }

    @Test
    void connectionWithoutClientCertificateFails() {
        assertRejected(certs.socketFactoryWithoutClientCert(), "no client certificate");
    }

    @Test
    void clientCertificateFromAnotherCaFails() {
        assertRejected(certs.otherClientSocketFactory(), "a client certificate from another CA");
    }

    @Test
    void rawTlsSocketWorksAndServerCertificateNamesLocalhostAndLoopbackIp() throws IOException {
        RedisServer master = topology.master();
        // With HTTPS endpoint identification the JDK checks the certificate's subjectAltName
        // against the name the socket was opened for, so both SANs are proven usable.
        for (String name : List.of("127.0.0.1", "localhost")) {
            try (SSLSocket socket = openTls(master, certs.clientSocketFactory(), name)) {
                socket.getOutputStream().write(("AUTH " + PASSWORD + "\r\nPING\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                assertEquals("+OK", readLine(socket.getInputStream()));
                assertEquals("+PONG", readLine(socket.getInputStream()));
            }
        }
    }

    @Test
    void keysArePkcs8() throws IOException {
        for (Path key : List.of(certs.caKey(), certs.serverKey(), certs.clientKey(),
                certs.otherClientKey())) {
            String pem = Files.readString(key, StandardCharsets.US_ASCII);
            assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"),
                    key + " should be unencrypted PKCS#8 PEM but starts with: "
                            + pem.lines().findFirst().orElse("(empty)"));
        }
    }

    @Test
    void reissuedServerCertificateIsSeenAfterReload() throws IOException {
        RedisServer master = topology.master();
        String oldFile = TestCertificates.fingerprint(certs.serverCert());
        var oldSerial = TestCertificates.serialNumber(certs.serverCert());
        String oldKey = Files.readString(certs.serverKey(), StandardCharsets.US_ASCII);
        assertEquals(oldFile, presentedFingerprint(master));

        String reissued = certs.reissueServer();

        assertNotEquals(oldFile, reissued, "reissueServer() should return a new fingerprint");
        assertEquals(reissued, TestCertificates.fingerprint(certs.serverCert()),
                "server.crt on disk should be the reissued certificate");
        assertNotEquals(oldSerial, TestCertificates.serialNumber(certs.serverCert()));
        assertNotEquals(oldKey, Files.readString(certs.serverKey(), StandardCharsets.US_ASCII),
                "server.key should be a new key");
        // redis-server has not looked at the files yet: the old certificate is still served.
        assertEquals(oldFile, presentedFingerprint(master));

        master.reloadTls();
        assertEquals(reissued, presentedFingerprint(master),
                "a new connection should see the reissued certificate after reloadTls()");
        try (Jedis jedis = topology.jedis(master)) {
            assertEquals("PONG", jedis.ping());
        }
    }

    /**
     * A client using {@code factory} must not be able to run a command. With TLS 1.3 the client
     * finishes its side of the handshake before the server has checked the client certificate,
     * so the refusal can surface on the first read (during AUTH) instead of at connect.
     */
    private static void assertRejected(SSLSocketFactory factory, String what) {
        RedisServer master = topology.master();
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                .password(PASSWORD)
                .autoNegotiateProtocol(false)
                .timeoutMillis(TIMEOUT_MILLIS)
                .ssl(true)
                .sslSocketFactory(factory)
                .hostnameVerifier((host, session) -> true)
                .build();
        assertThrows(JedisConnectionException.class, () -> {
            try (Jedis jedis = new Jedis(new HostAndPort(master.host(), master.port()), config)) {
                jedis.ping();
            }
        }, "a TLS client with " + what + " must be refused");
    }

    /** The fingerprint of the certificate {@code node} presents to a new connection. */
    private static String presentedFingerprint(RedisServer node) throws IOException {
        try (SSLSocket socket = openTls(node, certs.clientSocketFactory(), node.host())) {
            return TestCertificates.fingerprint(socket.getSession().getPeerCertificates()[0]);
        }
    }

    /**
     * Connects to {@code node} on 127.0.0.1 and runs the handshake as if the server had been
     * addressed as {@code name}, checking the certificate against that name.
     */
    private static SSLSocket openTls(RedisServer node, SSLSocketFactory factory, String name)
            throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(node.host(), node.port()), TIMEOUT_MILLIS);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            SSLSocket socket = (SSLSocket) factory.createSocket(plain, name, node.port(), true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                fail("connection closed; got so far: " + line);
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
