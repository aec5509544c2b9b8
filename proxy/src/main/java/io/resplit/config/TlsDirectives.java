package io.resplit.config;

import static io.resplit.config.DirectiveArgs.atLeast;
import static io.resplit.config.DirectiveArgs.emptyToNull;
import static io.resplit.config.DirectiveArgs.enumOf;
import static io.resplit.config.DirectiveArgs.intIn;
import static io.resplit.config.DirectiveArgs.one;
import static io.resplit.config.DirectiveArgs.yesNo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code tls-*} directives as they are read, then checked together into {@link TlsSettings}. */
final class TlsDirectives {
    private int port;
    private String certFile;
    private String keyFile;
    private String caCertFile;
    private String caCertDir;
    private TlsSettings.AuthClients authClients;
    private List<String> protocols;
    private String ciphers;
    private String ciphersuites;
    private boolean backends;
    private String clientCertFile;
    private String clientKeyFile;

    /** Starts from {@code t}: the defaults, or the settings CONFIG SET changes one directive of. */
    TlsDirectives(TlsSettings t) {
        port = t.port();
        certFile = t.certFile();
        keyFile = t.keyFile();
        caCertFile = t.caCertFile();
        caCertDir = t.caCertDir();
        authClients = t.authClients();
        protocols = t.protocols();
        ciphers = t.ciphers();
        ciphersuites = t.ciphersuites();
        backends = t.backends();
        clientCertFile = t.clientCertFile();
        clientKeyFile = t.clientKeyFile();
    }

    /** Applies {@code name} if it is a TLS directive; false if it is not one. */
    boolean apply(String name, List<String> a) {
        switch (name) {
            case "tls-port" -> port = intIn(one(a), 0, 65535);
            case "tls-cert-file" -> certFile = emptyToNull(one(a));
            case "tls-key-file" -> keyFile = emptyToNull(one(a));
            case "tls-ca-cert-file" -> caCertFile = emptyToNull(one(a));
            case "tls-ca-cert-dir" -> caCertDir = emptyToNull(one(a));
            case "tls-auth-clients" -> authClients = enumOf(TlsSettings.AuthClients.class, one(a));
            case "tls-protocols" -> protocols = protocols(a);
            case "tls-ciphers" -> ciphers = emptyToNull(one(a));
            case "tls-ciphersuites" -> ciphersuites = emptyToNull(one(a));
            case "tls-backends" -> backends = yesNo(one(a));
            case "tls-client-cert-file" -> clientCertFile = emptyToNull(one(a));
            case "tls-client-key-file" -> clientKeyFile = emptyToNull(one(a));
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * The settings, once they are complete: what a TLS setup needs before the proxy can listen or connect with
     * it. {@code plainPort} is the {@code port} directive: with both 0 no client could connect.
     */
    TlsSettings build(int plainPort) {
        TlsSettings tls = new TlsSettings(port, certFile, keyFile, caCertFile, caCertDir, authClients, protocols,
                ciphers, ciphersuites, backends, clientCertFile, clientKeyFile);
        if (plainPort == 0 && tls.port() == 0) {
            throw new ConfigException("port 0 and tls-port 0: no port to accept clients on");
        }
        if (tls.clientSide() && (tls.certFile() == null || tls.keyFile() == null)) {
            throw new ConfigException("tls-port " + tls.port() + " needs tls-cert-file and tls-key-file");
        }
        boolean hasCa = tls.caCertFile() != null || tls.caCertDir() != null;
        if (tls.clientSide() && tls.authClients() != TlsSettings.AuthClients.NO && !hasCa) {
            throw new ConfigException("tls-auth-clients " + tls.authClients().name().toLowerCase(Locale.ROOT)
                    + " needs tls-ca-cert-file or tls-ca-cert-dir to check client certificates against "
                    + "(or tls-auth-clients no)");
        }
        if (tls.backends() && !hasCa) {
            throw new ConfigException("tls-backends yes needs tls-ca-cert-file or tls-ca-cert-dir to check the "
                    + "backends' certificates against");
        }
        if ((tls.clientCertFile() == null) != (tls.clientKeyFile() == null)) {
            throw new ConfigException("tls-client-cert-file and tls-client-key-file go together");
        }
        return tls;
    }

    /** "TLSv1.2 TLSv1.3" (one argument or several), as redis.conf writes it. */
    private static List<String> protocols(List<String> a) {
        atLeast(a, 1);
        List<String> out = new ArrayList<>();
        for (String arg : a) {
            for (String p : arg.trim().split("\\s+")) {
                if (p.isEmpty()) {
                    continue;
                }
                switch (p.toLowerCase(Locale.ROOT)) {
                    case "tlsv1.2" -> out.add("TLSv1.2");
                    case "tlsv1.3" -> out.add("TLSv1.3");
                    default -> throw new IllegalArgumentException("tls-protocols: unknown protocol '" + p
                            + "' (TLSv1.2, TLSv1.3)");
                }
            }
        }
        return out;
    }
}
