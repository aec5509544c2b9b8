package io.resplit.backend;

/** What the proxy authenticates with on every backend connection ({@code masteruser} / {@code masterauth}). */
public record BackendCredentials(String user, String password) {
    public boolean present() {
        return password != null;
    }

    @Override
    public String toString() {
        return present() ? "user=" + (user == null ? "default" : user) + " password=(set)" : "no password";
    }
}
