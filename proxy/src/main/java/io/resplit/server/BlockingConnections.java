package io.resplit.server;

import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The master connections one client's blocking commands wait on, one per command: taken from the node when the
 * command is sent, given back once its reply is in, forgotten when it failed (it is closed already), closed if
 * the client leaves while blocked. Used on the client's event loop only.
 */
final class BlockingConnections {
    private final EventLoop loop;
    private final int loopIndex;
    private final List<BackendConnection> open = new ArrayList<>(1);

    BlockingConnections(EventLoop loop, int loopIndex) {
        this.loop = loop;
        this.loopIndex = loopIndex;
    }

    /** A connection of its own on {@code master} for {@code p}, kept as {@code p.dedicated()}; null during a backoff. */
    BackendConnection open(PendingReply p, BackendNode master) {
        if (p.blockedSince() == 0) {
            p.blockedSince(System.nanoTime());
        }
        BackendConnection conn = master.dedicated(loop, loopIndex, p.protocol(), p.db);
        p.dedicated(conn);
        if (conn != null) {
            open.add(conn);
        }
        return conn;
    }

    /** {@code p}'s reply is in: its connection goes back to its node. */
    void release(PendingReply p) {
        open.remove(p.dedicated());
        p.dedicated().node().releaseDedicated(p.dedicated(), loopIndex, true);
        p.dedicated(null);
    }

    /** {@code p}'s connection failed before the reply (it is closed). */
    void forget(PendingReply p) {
        open.remove(p.dedicated());
        p.dedicated(null);
    }

    /** The client has gone: connections still blocked are closed, not pooled. */
    void discardAll() {
        for (BackendConnection c : new ArrayList<>(open)) {
            c.discard("client disconnected while blocked");
        }
        open.clear();
    }
}
