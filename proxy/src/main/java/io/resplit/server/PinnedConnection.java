package io.resplit.server;

import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;

/**
 * The master connection one client holds during MULTI or WATCH: opened (or taken from the pool) on first use,
 * given back to the node it was opened on once the transaction is over, closed if the client leaves. Used on
 * the client's event loop only.
 */
final class PinnedConnection {
    private final EventLoop loop;
    private final int loopIndex;
    private BackendConnection conn;
    private boolean clean = true; // fit to go back to the pool as it is
    private boolean used;         // something was sent on it since it was opened

    PinnedConnection(EventLoop loop, int loopIndex) {
        this.loop = loop;
        this.loopIndex = loopIndex;
    }

    /**
     * True when the connection died after the client started using it: its MULTI or WATCH state is gone, and
     * the client must start over, as after losing a Redis connection.
     */
    boolean lost() {
        return conn != null && conn.isClosed() && used;
    }

    /** The connection for the next request, opened on {@code master} if needed; null during a backoff. */
    BackendConnection acquire(BackendNode master, int protocol, int db) {
        if (conn == null || conn.isClosed()) {
            conn = master.dedicated(loop, loopIndex, protocol, db);
            clean = true;
            used = false;
        }
        used = true;
        return conn;
    }

    /** The connection, or null (for re-sending on it, e.g. after a script reload). */
    BackendConnection current() {
        return conn;
    }

    boolean held() {
        return conn != null;
    }

    /** Its database changed: it may not return to the pool as it is. */
    void taint() {
        clean = false;
    }

    /** Gives it back to the node it was opened on (after a failover that is no longer the master). */
    void release() {
        conn.node().releaseDedicated(conn, loopIndex, clean);
        conn = null;
    }

    /** Forgets a connection that failed (it is closed already). */
    void forget() {
        conn = null;
    }

    /** The client left: close it rather than pool it (it may be inside MULTI). */
    void discard(String reason) {
        if (conn != null) {
            conn.discard(reason);
            conn = null;
        }
    }
}
