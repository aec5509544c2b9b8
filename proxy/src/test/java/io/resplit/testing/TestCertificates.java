package io.resplit.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away PKI for TLS tests, made with the {@code openssl} command line in a temporary
 * directory.
 *
 * <p>{@link #create()} writes:
 * <ul>
 *   <li>{@code ca.crt}, {@code ca.key}: the test CA;
 *   <li>{@code server.crt}, {@code server.key}: CN=localhost, subjectAltName DNS:localhost and
 *       IP:127.0.0.1, extended key usage serverAuth only, signed by the CA;
 *   <li>{@code client.crt}, {@code client.key}: a client certificate (clientAuth) signed by the CA;
 *   <li>{@code other-ca.crt}: a second, unrelated CA, and {@code other-client.crt},
 *       {@code other-client.key}: a client certificate signed by that one, which a server trusting
 *       only {@code ca.crt} must reject.
 * </ul>
 * Keys are EC P-256 (generated in milliseconds, unlike RSA) and every private key is unencrypted
 * PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), the only private-key format Netty's JDK SSL provider
 * reads. Every certificate gets a random serial number, so a {@link #reissueServer() re-issued}
 * server certificate is told apart from the old one by serial and fingerprint.
 *
 * <p>The server certificate deliberately lacks clientAuth: redis-server presents it as the
 * <em>client</em> certificate of outgoing connections (replication) unless
 * {@code tls-client-cert-file} is set, and a peer with {@code tls-auth-clients yes} rejects it
 * then ("unsupported certificate"). {@link RedisServer#startTls} therefore configures the client
 * certificate for that. {@link #close()} deletes the directory.
 */
public final class TestCertificates implements AutoCloseable {

    private static final String OPENSSL = "openssl";
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(10);
    private static final int VALIDITY_DAYS = 7;

    /**
     * Our own OpenSSL configuration, also exported as OPENSSL_CONF: the system openssl.cnf would
     * otherwise add its own default extensions (and could differ between machines).
     */
    private static final String OPENSSL_CNF = String.join("\n",
            "[req]",
            "distinguished_name = dn",
            "prompt = no",
            "[dn]",
            "CN = unused",
            "[ca_ext]",
            "basicConstraints = critical,CA:TRUE",
            "keyUsage = critical,keyCertSign,cRLSign",
            "subjectKeyIdentifier = hash",
            "[server_ext]",
            "basicConstraints = critical,CA:FALSE",
            // digitalSignature is all an EC key does in TLS (no RSA key transport).
            "keyUsage = critical,digitalSignature",
            "extendedKeyUsage = serverAuth",
            "subjectAltName = DNS:localhost,IP:127.0.0.1",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid",
            "[client_ext]",
            "basicConstraints = critical,CA:FALSE",
            "keyUsage = critical,digitalSignature",
            "extendedKeyUsage = clientAuth",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid",
            "");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    /** Scratch space for CSRs, command output and not-yet-moved files; same filesystem as dir. */
    private final Path work;
    private final Path config;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.work = dir.resolve("work");
        this.config = work.resolve("openssl.cnf");
    }

    /**
     * Creates a new temporary directory with the CA, server, client and other-CA files described
     * above. On failure the directory is deleted before the error is thrown.
     *
     * @throws IllegalStateException if openssl cannot be run
     * @throws AssertionError if an openssl command fails or does not finish within 10 s
     */
    public static TestCertificates create() {
        Path dir;
        try {
            dir = Files.createTempDirectory("resplit-tls-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir for test certificates", e);
        }
        TestCertificates certs = new TestCertificates(dir);
        try {
            certs.generateAll();
            return certs;
        } catch (RuntimeException | Error e) {
            certs.close();
            throw e;
        }
    }

    /** The directory holding all files. */
    public Path dir() {
        return dir;
    }

    /** The CA certificate that signed the server and client certificates. */
    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    /** The CA's private key. */
    public Path caKey() {
        return dir.resolve("ca.key");
    }

    /** The server certificate (CN=localhost, SAN DNS:localhost, IP:127.0.0.1). */
    public Path serverCert() {
        return dir.resolve("server.crt");
    }

    /** The server's private key (PKCS#8 PEM). */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** The client certificate, signed by {@link #caCert()}. */
    public Path clientCert() {
        return dir.resolve("client.crt");
    }

    /** The client's private key (PKCS#8 PEM). */
    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** A second CA that has nothing to do with {@link #caCert()}. */
    public Path otherCaCert() {
        return dir.resolve("other-ca.crt");
    }

    /** A client certificate signed by {@link #otherCaCert()}, not by {@link #caCert()}. */
    public Path otherClientCert() {
        return dir.resolve("other-client.crt");
    }

    /** The private key of {@link #otherClientCert()} (PKCS#8 PEM). */
    public Path otherClientKey() {
        return dir.resolve("other-client.key");
    }

    /**
     * Replaces {@code server.key} and {@code server.crt} with a new key and a new certificate
     * (same subject and SANs, same CA, new random serial), for certificate rotation tests.
     *
     * <p>Each file is written under a scratch name and then renamed over the old one, so a reader
     * never sees a half-written file; the key is replaced before the certificate. (A
     * {@code WatchService} reports such a rename as ENTRY_CREATE, not ENTRY_MODIFY.) Processes
     * that already loaded the old files keep using them until they reload, e.g. redis-server on
     * {@link RedisServer#reloadTls()}.
     *
     * @return the SHA-256 fingerprint of the new certificate, as {@link #fingerprint(Path)}
     */
    public String reissueServer() {
        issueServer();
        return fingerprint(serverCert());
    }

    /**
     * An SSLSocketFactory that trusts {@link #caCert()} and presents {@link #clientCert()}: what
     * a legitimate client of a TLS Redis (or of the proxy's TLS port) uses.
     */
    public SSLSocketFactory clientSocketFactory() {
        return socketFactory(caCert(), clientCert(), clientKey());
    }

    /** An SSLSocketFactory that trusts {@link #caCert()} but presents no client certificate. */
    public SSLSocketFactory socketFactoryWithoutClientCert() {
        return socketFactory(caCert(), null, null);
    }

    /**
     * An SSLSocketFactory that trusts {@link #caCert()} (so the server is accepted) but presents
     * {@link #otherClientCert()}, which a server trusting only {@link #caCert()} must reject.
     */
    public SSLSocketFactory otherClientSocketFactory() {
        return socketFactory(caCert(), otherClientCert(), otherClientKey());
    }

    /**
     * An SSLSocketFactory trusting the certificates in {@code trustedCaFile} and, if
     * {@code certFile} is not null, presenting that certificate with {@code keyFile} (unencrypted
     * PKCS#8 PEM, RSA or EC). Everything is loaded into in-memory key stores; no system trust
     * store is involved. Host names are not checked by the factory itself: that is the job of the
     * caller (Jedis: {@code hostnameVerifier}; raw SSLSocket: endpoint identification algorithm).
     */
    public static SSLSocketFactory socketFactory(Path trustedCaFile, Path certFile, Path keyFile) {
        return sslContext(trustedCaFile, certFile, keyFile).getSocketFactory();
    }

    /** The SSLContext behind {@link #socketFactory(Path, Path, Path)}, e.g. for SSLEngine tests. */
    public static SSLContext sslContext(Path trustedCaFile, Path certFile, Path keyFile) {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("give both certFile and keyFile, or neither");
        }
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate ca : readCertificates(trustedCaFile)) {
                trust.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);

            KeyManagerFactory kmf = null;
            if (certFile != null) {
                // The key store only lives in memory; its password protects nothing.
                char[] password = "in-memory".toCharArray();
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", readPrivateKey(keyFile), password,
                        readCertificates(certFile).toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS material", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an SSLContext from " + trustedCaFile
                    + ", " + certFile + ", " + keyFile, e);
        }
    }

    /** The first certificate in a PEM file. */
    public static X509Certificate readCertificate(Path pemFile) {
        try {
            return readCertificates(pemFile).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pemFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot parse " + pemFile, e);
        }
    }

    /**
     * The SHA-256 fingerprint of the first certificate in a PEM file, in openssl's format
     * ({@code AB:CD:...}, as {@code openssl x509 -fingerprint -sha256} prints it).
     */
    public static String fingerprint(Path pemFile) {
        return fingerprint(readCertificate(pemFile));
    }

    /**
     * The SHA-256 fingerprint of a certificate, e.g. of the one a server presented
     * ({@code sslSocket.getSession().getPeerCertificates()[0]}).
     */
    public static String fingerprint(Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot fingerprint " + certificate, e);
        }
    }

    /** The serial number of the first certificate in a PEM file. */
    public static BigInteger serialNumber(Path pemFile) {
        return readCertificate(pemFile).getSerialNumber();
    }

    /** Deletes the directory and everything in it. Safe to call more than once. */
    @Override
    public void close() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            // Deepest first, so directories are empty when their turn comes.
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    @Override
    public String toString() {
        return "test certificates in " + dir;
    }

    private void generateAll() {
        try {
            Files.createDirectories(work);
            Files.writeString(config, OPENSSL_CNF, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + work, e);
        }
        selfSignedCa("resplit test CA", caKey(), caCert());
        issueServer();
        issue("resplit test client", "client_ext", caCert(), caKey(), clientKey(), clientCert());

        // The unrelated CA's key is of no use to tests; it stays in the scratch directory.
        Path otherCaKey = work.resolve("other-ca.key");
        selfSignedCa("resplit other test CA", otherCaKey, otherCaCert());
        issue("resplit other test client", "client_ext", otherCaCert(), otherCaKey,
                otherClientKey(), otherClientCert());
    }

    private void issueServer() {
        issue("localhost", "server_ext", caCert(), caKey(), serverKey(), serverCert());
    }

    private void selfSignedCa(String commonName, Path key, Path cert) {
        Path newKey = generateKey();
        Path newCert = scratch("crt");
        openssl("req", "-x509", "-new", "-key", newKey.toString(), "-subj", "/CN=" + commonName,
                "-set_serial", randomSerial(), "-days", Integer.toString(VALIDITY_DAYS), "-sha256",
                "-extensions", "ca_ext", "-out", newCert.toString());
        moveInPlace(newKey, key);
        moveInPlace(newCert, cert);
    }

    /**
     * Makes a new key and a certificate for it signed by the given CA, then renames both over
     * {@code key} and {@code cert} (key first).
     */
    private void issue(String commonName, String extensions, Path caCert, Path caKey, Path key,
            Path cert) {
        Path newKey = generateKey();
        Path csr = scratch("csr");
        Path newCert = scratch("crt");
        openssl("req", "-new", "-key", newKey.toString(), "-subj", "/CN=" + commonName,
                "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(),
                "-CAkey", caKey.toString(), "-set_serial", randomSerial(),
                "-days", Integer.toString(VALIDITY_DAYS), "-sha256",
                "-extfile", config.toString(), "-extensions", extensions,
                "-out", newCert.toString());
        moveInPlace(newKey, key);
        moveInPlace(newCert, cert);
        try {
            Files.deleteIfExists(csr);
        } catch (IOException e) {
            // Left for close() to delete with the directory.
        }
    }

    /** A new EC P-256 key in a scratch file; genpkey writes PKCS#8 ("BEGIN PRIVATE KEY"). */
    private Path generateKey() {
        Path key = scratch("key");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", key.toString());
        return key;
    }

    private Path scratch(String suffix) {
        try {
            return Files.createTempFile(work, "new-", "." + suffix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file in " + work, e);
        }
    }

    private static void moveInPlace(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to, e);
        }
    }

    /** 63 random bits, positive and non-zero as RFC 5280 requires; hex for openssl. */
    private static String randomSerial() {
        long serial = RANDOM.nextLong() & Long.MAX_VALUE;
        return "0x" + Long.toHexString(serial == 0 ? 1 : serial);
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add(OPENSSL);
        command.addAll(List.of(args));
        Path output = scratch("out");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                // To a file, not a pipe: the process can never block on a full pipe, and a hung
                // one can still be waited for with a deadline.
                .redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.put("OPENSSL_CONF", config.toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + OPENSSL + "; is it installed and on PATH? "
                    + e.getMessage(), e);
        }
        try {
            // EOF on stdin: should openssl ever prompt (e.g. for a pass phrase), it fails instead
            // of waiting for input until the deadline.
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(COMMAND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("openssl did not finish within "
                        + COMMAND_DEADLINE.toMillis() + " ms: " + command + "\n" + read(output));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("openssl failed with exit code " + process.exitValue()
                        + ": " + command + "\n" + read(output));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot talk to openssl", e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // Left for close() to delete with the directory.
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static List<X509Certificate> readCertificates(Path pemFile)
            throws IOException, GeneralSecurityException {
        // CertificateFactory reads PEM (BEGIN CERTIFICATE blocks) directly, chains included.
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pemFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + pemFile);
        }
        return out;
    }

    /** Reads an unencrypted PKCS#8 PEM key; the algorithm (RSA or EC) is found by trying. */
    private static PrivateKey readPrivateKey(Path pemFile) throws IOException, GeneralSecurityException {
        String pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new InvalidKeySpecException(pemFile + " is not an unencrypted PKCS#8 PEM key ("
                    + begin + ")");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        InvalidKeySpecException last = null;
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                last = e;
            }
        }
        throw new InvalidKeySpecException("neither an EC nor an RSA key: " + pemFile, last);
    }
}
