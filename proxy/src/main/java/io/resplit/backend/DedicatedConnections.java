package io.resplit.backend;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's dedicated connections, each for one client's exclusive use while it needs it (a transaction, a
 * blocking command, a subscriber, MONITOR): idle ones pooled per event loop, protocol and database, and
 * {@code blocking-pool-size} kept ready so that a blocking command leaves without connection set-up.
 */
final class DedicatedConnections {
    static final String CLIENT_NAME = "resplit-dedicated";
    /** Idle dedicated connections kept per loop, protocol and database for the next transaction. */
    private static final int MAX_IDLE = 8;

    private final BackendNode node;
    private final BackendConnector connector;
    private final int databases;
    private final int ready; // blocking-pool-size
    private final IdleConnections[][] idle; // [loop index][protocol and db], filled lazily on each loop
    private final EventLoop[] loopOf;       // the event loop behind each loop index, learned on first use
    // open now (pinned, blocking, subscriber, MONITOR): closed too when the node hangs
    private final Set<BackendConnection> open = ConcurrentHashMap.newKeySet();

    DedicatedConnections(BackendNode node, BackendConnector connector, int loops, int databases, int ready) {
        this.node = node;
        this.connector = connector;
        this.databases = databases;
        this.ready = ready;
        this.idle = new IdleConnections[loops][2 * databases];
        this.loopOf = new EventLoop[loops];
    }

    /** See {@link BackendNode#dedicated}. Must be called on {@code loop}. */
    BackendConnection take(EventLoop loop, int loopIndex, int protocol, int db) {
        loopOf[loopIndex] = loop;
        IdleConnections pool = idle[loopIndex][(protocol - 2) * databases + db];
        BackendConnection c;
        while (pool != null && (c = pool.poll()) != null) {
            if (c.reusable()) {
                warm(loop, loopIndex, protocol, db); // the next blocking command finds one ready too
                return c;
            }
            c.discard("not reusable");
        }
        if (node.inBackoff()) {
            return null;
        }
        BackendConnection opened = connector.open(node, loop, protocol, db, CLIENT_NAME);
        open.add(opened);
        warm(loop, loopIndex, protocol, db);
        return opened;
    }

    /** See {@link BackendNode#warm}. Must be called on {@code loop}. */
    void warm(EventLoop loop, int loopIndex, int protocol, int db) {
        loopOf[loopIndex] = loop;
        IdleConnections pool = pool(loopIndex, protocol, db);
        while (pool.size() < ready && !node.inBackoff()) {
            BackendConnection opened = connector.open(node, loop, protocol, db, CLIENT_NAME);
            open.add(opened);
            pool.addLast(opened); // the most recently used (ready) ones are taken first
        }
    }

    /** See {@link BackendNode#releaseDedicated}. */
    void release(BackendConnection c, int loopIndex, boolean clean) {
        if (!clean || !c.idle() || c.isClosed()) {
            c.discard("released by its client");
            return;
        }
        IdleConnections pool = pool(loopIndex, c.protocol(), c.db());
        if (pool.size() < MAX_IDLE) {
            pool.push(c);
        } else {
            c.discard("idle pool full");
        }
    }

    private IdleConnections pool(int loopIndex, int protocol, int db) {
        int key = (protocol - 2) * databases + db;
        IdleConnections pool = idle[loopIndex][key];
        if (pool == null) {
            pool = new IdleConnections();
            idle[loopIndex][key] = pool;
        }
        return pool;
    }

    /**
     * Every dedicated connection open is closed, each on its own loop, after {@code delayMs}: the node hangs
     * (a node fault), or it was retired.
     */
    void closeAll(String reason, long delayMs) {
        for (BackendConnection c : open) {
            if (delayMs <= 0) {
                c.loop().execute(() -> c.close(reason));
            } else {
                c.loop().schedule(() -> c.discard(reason), delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The idle ones are closed after {@code delayMs}, each on its own loop (the node left the topology). */
    void discardIdle(String reason, long delayMs) {
        for (int i = 0; i < loopOf.length; i++) {
            EventLoop loop = loopOf[i];
            if (loop == null) {
                continue;
            }
            IdleConnections[] pools = idle[i];
            loop.schedule(() -> {
                for (IdleConnections pool : pools) {
                    if (pool != null) {
                        pool.forEach(c -> c.discard(reason));
                        pool.clear();
                    }
                }
            }, delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** A connection closed, however: no longer open. */
    void gone(BackendConnection c) {
        open.remove(c);
    }

    /** A loop's idle dedicated connections for one protocol and database, most recently used first. */
    private static final class IdleConnections extends ArrayDeque<BackendConnection> {
        private static final long serialVersionUID = 1L;
    }
}
