package io.resplit.backend;

/**
 * How the proxy reaches and authenticates to a server: {@code masteruser} / {@code masterauth} on every backend
 * connection, and TLS when {@code tls-backends} is on ({@code tls} null: plaintext). Sentinels use a set of
 * their own.
 */
public record BackendCredentials(String user, String password, BackendTls tls) {
    public BackendCredentials(String user, String password) {
        this(user, password, null);
    }

    public boolean present() {
        return password != null;
    }

    @Override
    public String toString() {
        return (present() ? "user=" + (user == null ? "default" : user) + " password=(set)" : "no password")
                + (tls != null ? " tls" : "");
    }
}
