package io.resplit.backend;

import io.netty.channel.EventLoop;

/**
 * A node's shared data connections: per event loop, per protocol and database (both are connection state every
 * request on it shares), {@code backend-connections} of each, opened on demand. A client uses only those of its
 * own loop, so nothing here is shared between threads except the closing passes, which run on each loop.
 */
final class SharedConnections {
    static final String CLIENT_NAME = "resplit";

    private final BackendNode node;
    private final BackendConnector connector;
    private final int slots;
    private final int databases;
    // [loop index][protocol and db][slot], filled lazily on each loop; index = (protocol - 2) * databases + db
    private final BackendConnection[][][] perLoop;
    private final EventLoop[] loopOf; // the event loop behind each loop index, learned on first use

    SharedConnections(BackendNode node, BackendConnector connector, int loops, int databases, int slots) {
        this.node = node;
        this.connector = connector;
        this.slots = slots;
        this.databases = databases;
        this.perLoop = new BackendConnection[loops][2 * databases][];
        this.loopOf = new EventLoop[loops];
    }

    /** See {@link BackendNode#connection}. Must be called on {@code loop}. */
    BackendConnection get(EventLoop loop, int loopIndex, int protocol, int db, int slot) {
        int key = (protocol - 2) * databases + db;
        loopOf[loopIndex] = loop;
        BackendConnection[] row = perLoop[loopIndex][key];
        if (row == null) {
            row = new BackendConnection[slots];
            perLoop[loopIndex][key] = row;
        }
        BackendConnection c = row[Math.floorMod(slot, slots)];
        if (c != null && !c.isClosed()) {
            return c;
        }
        if (node.inBackoff()) {
            return null;
        }
        c = connector.open(node, loop, protocol, db, CLIENT_NAME);
        row[Math.floorMod(slot, slots)] = c;
        return c;
    }

    /** The event loop behind {@code loopIndex}, or null if no connection was asked for there yet. */
    EventLoop loop(int loopIndex) {
        return loopOf[loopIndex];
    }

    int loops() {
        return loopOf.length;
    }

    /** Closes (node fault) or discards every shared connection, each on its own loop, after {@code delayMs}. */
    void closeAll(String reason, boolean nodeFault, long delayMs) {
        for (int i = 0; i < loopOf.length; i++) {
            EventLoop loop = loopOf[i];
            if (loop == null) {
                continue;
            }
            BackendConnection[][] rows = perLoop[i];
            Runnable close = () -> {
                for (BackendConnection[] row : rows) {
                    if (row != null) {
                        for (BackendConnection c : row) {
                            if (c != null) {
                                if (nodeFault) {
                                    c.close(reason);
                                } else {
                                    c.discard(reason);
                                }
                            }
                        }
                    }
                }
            };
            if (delayMs <= 0) {
                loop.execute(close);
            } else {
                loop.schedule(close, delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }
}
