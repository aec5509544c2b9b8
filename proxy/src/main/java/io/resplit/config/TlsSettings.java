package io.resplit.config;

import java.util.List;

/**
 * TLS, with redis.conf's own directive names, plus the proxy's side towards the backends.
 *
 * @param port            {@code tls-port}: the TLS client port; 0 for none
 * @param certFile        {@code tls-cert-file}: the certificate the proxy shows clients (PEM)
 * @param keyFile         {@code tls-key-file}: its private key (PEM, PKCS#8)
 * @param caCertFile      {@code tls-ca-cert-file}: CA certificates that client and backend certificates are
 *                        checked against
 * @param caCertDir       {@code tls-ca-cert-dir}: a directory of such CA certificates (every *.pem, *.crt file)
 * @param authClients     {@code tls-auth-clients}: whether clients must show a certificate
 * @param protocols       {@code tls-protocols}: e.g. TLSv1.2 TLSv1.3; empty for the engine's defaults
 * @param ciphers         {@code tls-ciphers}: TLS 1.2 cipher list, colon-separated; null for the defaults
 * @param ciphersuites    {@code tls-ciphersuites}: TLS 1.3 suites, colon-separated; null for the defaults
 * @param backends        {@code tls-backends}: TLS on every backend connection, servers checked against the CA
 * @param clientCertFile  {@code tls-client-cert-file}: the certificate the proxy shows backends (mTLS)
 * @param clientKeyFile   {@code tls-client-key-file}: its private key
 */
public record TlsSettings(int port, String certFile, String keyFile, String caCertFile, String caCertDir,
                          AuthClients authClients, List<String> protocols, String ciphers, String ciphersuites,
                          boolean backends, String clientCertFile, String clientKeyFile) {
    /** {@code tls-auth-clients}: as in Redis. */
    public enum AuthClients { YES, NO, OPTIONAL }

    public TlsSettings {
        protocols = List.copyOf(protocols);
    }

    public static TlsSettings defaults() {
        return new TlsSettings(0, null, null, null, null, AuthClients.YES, List.of(), null, null, false, null, null);
    }

    /** Whether clients can connect with TLS. */
    public boolean clientSide() {
        return port > 0;
    }

    /** Whether any TLS is configured (either side). */
    public boolean any() {
        return clientSide() || backends;
    }
}
