package io.resplit.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.resplit.backend.BackendTls;
import io.resplit.config.ConfigException;
import io.resplit.config.HostPort;
import io.resplit.config.TlsSettings;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS contexts of the running proxy, built from {@link TlsSettings}: one for client connections on
 * {@code tls-port}, one for backend connections, and a JDK one for the control plane's blocking sockets. All
 * three are rebuilt by {@link #reload}, which checks the new files completely before anything is swapped: a
 * broken file leaves the old contexts in place. Channels take a context when they start, so open connections
 * keep theirs.
 */
public final class TlsContexts implements BackendTls {
    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

    /** One consistent set, swapped whole. */
    private record Contexts(TlsSettings settings, SslContext server, SslContext backend, SSLSocketFactory control) {
    }

    private final SslProvider provider;
    private volatile Contexts current;

    private TlsContexts(SslProvider provider, Contexts contexts) {
        this.provider = provider;
        this.current = contexts;
    }

    /** Builds the contexts, or null when no TLS is configured. Throws ConfigException with the reason. */
    public static TlsContexts create(TlsSettings settings) {
        if (!settings.any()) {
            return null;
        }
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        TlsContexts t = new TlsContexts(provider, build(settings, provider));
        log.info("TLS engine: {}{}", provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")"
                : "JDK", provider == SslProvider.JDK && OpenSsl.unavailabilityCause() != null
                ? " (OpenSSL unavailable: " + OpenSsl.unavailabilityCause().getMessage() + ")" : "");
        return t;
    }

    /** "OpenSSL" or "JDK", for logs and INFO. */
    public String engine() {
        return provider == SslProvider.OPENSSL ? "OpenSSL" : "JDK";
    }

    /**
     * Reads the certificate files again (RELOAD, after they were replaced) with {@code settings}; new handshakes
     * use them, open connections are not touched. Throws ConfigException and keeps the old contexts when a file
     * is missing or does not parse.
     */
    public void reload(TlsSettings settings) {
        current = build(settings, provider);
        log.info("TLS certificates reloaded");
    }

    /** A handler for a new client connection on the TLS port. */
    public SslHandler newServerHandler(ByteBufAllocator alloc) {
        return current.server().newHandler(alloc);
    }

    @Override
    public SslHandler newHandler(ByteBufAllocator alloc, HostPort address) {
        return current.backend().newHandler(alloc, address.host(), address.port());
    }

    @Override
    public Socket wrap(Socket plain, HostPort address) throws IOException {
        SSLSocket s = (SSLSocket) current.control().createSocket(plain, address.host(), address.port(), true);
        s.startHandshake();
        return s;
    }

    private static Contexts build(TlsSettings s, SslProvider provider) {
        try {
            List<X509Certificate> cas = caCertificates(s);
            SslContext server = null;
            if (s.clientSide()) {
                SslContextBuilder b = SslContextBuilder.forServer(file(s.certFile(), "tls-cert-file"),
                        file(s.keyFile(), "tls-key-file")).sslProvider(provider);
                b.clientAuth(switch (s.authClients()) {
                    case YES -> ClientAuth.REQUIRE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case NO -> ClientAuth.NONE;
                });
                if (!cas.isEmpty()) {
                    b.trustManager(cas.toArray(X509Certificate[]::new));
                }
                server = common(b, s).build();
            }
            SslContext backend = null;
            SSLSocketFactory control = null;
            if (s.backends()) {
                backend = clientBuilder(s, cas).sslProvider(provider).build();
                // the JDK engine for blocking sockets: its context exposes the SSLSocketFactory they need
                SslContext jdk = clientBuilder(s, cas).sslProvider(SslProvider.JDK).build();
                control = ((io.netty.handler.ssl.JdkSslContext) jdk).context().getSocketFactory();
            }
            return new Contexts(s, server, backend, control);
        } catch (IOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigException("TLS: " + e.getMessage());
        }
    }

    private static SslContextBuilder clientBuilder(TlsSettings s, List<X509Certificate> cas) throws IOException {
        SslContextBuilder b = SslContextBuilder.forClient().trustManager(cas.toArray(X509Certificate[]::new));
        if (s.clientCertFile() != null) {
            b.keyManager(file(s.clientCertFile(), "tls-client-cert-file"), file(s.clientKeyFile(),
                    "tls-client-key-file"));
        }
        // Redis certificates are checked against the CA, as Redis's own replication does; the host name is not
        // (backends are often addressed by IP, which certificates seldom name; Netty 4.2 checks it by default)
        b.endpointIdentificationAlgorithm(null);
        return common(b, s);
    }

    private static SslContextBuilder common(SslContextBuilder b, TlsSettings s) {
        if (!s.protocols().isEmpty()) {
            b.protocols(s.protocols());
        }
        List<String> ciphers = new ArrayList<>();
        if (s.ciphers() != null) {
            ciphers.addAll(List.of(s.ciphers().split(":")));
        }
        if (s.ciphersuites() != null) {
            ciphers.addAll(List.of(s.ciphersuites().split(":")));
        }
        if (!ciphers.isEmpty()) {
            // names the engine does not know are left out rather than failing every handshake
            b.ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE);
        }
        return b;
    }

    /** The CA certificates from tls-ca-cert-file and every *.pem / *.crt in tls-ca-cert-dir. */
    private static List<X509Certificate> caCertificates(TlsSettings s) throws IOException,
            java.security.GeneralSecurityException {
        List<Path> files = new ArrayList<>();
        if (s.caCertFile() != null) {
            files.add(file(s.caCertFile(), "tls-ca-cert-file").toPath());
        }
        if (s.caCertDir() != null) {
            Path dir = Path.of(s.caCertDir());
            if (!Files.isDirectory(dir)) {
                throw new IOException("tls-ca-cert-dir " + dir + " is not a directory");
            }
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(p -> p.toString().endsWith(".pem") || p.toString().endsWith(".crt")).sorted()
                        .forEach(files::add);
            }
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (Path f : files) {
            try (var in = Files.newInputStream(f)) {
                for (var c : cf.generateCertificates(in)) {
                    out.add((X509Certificate) c);
                }
            }
        }
        return out;
    }

    private static File file(String path, String directive) throws IOException {
        File f = new File(path);
        if (!f.canRead()) {
            throw new IOException(directive + " " + path + " cannot be read");
        }
        return f;
    }
}
