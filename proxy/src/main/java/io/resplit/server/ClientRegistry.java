package io.resplit.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counts client connections against {@code maxclients} and hands out client ids. Thread-safe. */
final class ClientRegistry {
    private final int maxclients;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final java.util.concurrent.ConcurrentHashMap<Long, ClientHandler> byId =
            new java.util.concurrent.ConcurrentHashMap<>();

    ClientRegistry(int maxclients) {
        this.maxclients = maxclients;
    }

    /** Admits a new connection, or returns false when {@code maxclients} are connected already. */
    boolean tryAdmit() {
        if (connected.incrementAndGet() > maxclients) {
            connected.decrementAndGet();
            rejected.incrementAndGet();
            return false;
        }
        accepted.incrementAndGet();
        return true;
    }

    void closed() {
        connected.decrementAndGet();
    }

    /** Registers a connection for CLIENT LIST / KILL (admitted connections only). */
    void register(ClientHandler c) {
        byId.put(c.session().id(), c);
    }

    void unregister(ClientHandler c) {
        byId.remove(c.session().id());
    }

    /** The connection with this client id, or null. */
    ClientHandler byId(long id) {
        return byId.get(id);
    }

    /** Every registered connection, in id order. */
    java.util.List<ClientHandler> all() {
        java.util.List<ClientHandler> list = new java.util.ArrayList<>(byId.values());
        list.sort(java.util.Comparator.comparingLong(h -> h.session().id()));
        return list;
    }

    long nextId() {
        return nextId.incrementAndGet();
    }

    int connected() {
        return connected.get();
    }

    long accepted() {
        return accepted.get();
    }

    long rejected() {
        return rejected.get();
    }
}
