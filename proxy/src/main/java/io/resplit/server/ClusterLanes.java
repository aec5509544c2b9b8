package io.resplit.server;

import io.resplit.backend.BackendConnection;
import io.resplit.cluster.ClusterView;
import io.resplit.route.Route;
import io.resplit.route.ShardFences;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's calls in flight to a cluster, per lane, and the rules that keep its commands in order although
 * they travel on many connections (cluster mode's {@link LaneOrder}): a blocking command waits until the
 * client's other calls are answered (its connection runs nothing else meanwhile) and everything waits behind
 * it; a transaction starts after what was sent before it, and nothing passes it; after a slot map change,
 * master-lane calls wait until those sent under the old map are answered, so that a redirected call is never
 * overtaken by a later one for the same slot. Also what each send and answer changes of the client's
 * read-your-writes fences. On the client's event loop only.
 */
final class ClusterLanes {
    private final ShardFences fences = new ShardFences();
    private final List<BackendConnection> blockingConnections = new ArrayList<>(1);
    private volatile BackendConnection blockedOn; // the last blocking command's connection (CLIENT UNBLOCK reads it)
    private Object inflightView; // the slot ownership (ClusterView.owners) the master-lane calls were sent under
    private int master;
    private int blocking;
    private int pinned;
    private ShardCall[] multiKeyCalls = new ShardCall[4]; // multi-key writes in flight
    private int multiKeyWrites;

    /**
     * Whether a request for {@code lane} must wait; {@code current} is the map now, {@code transactionEnding}
     * whether the request ending the client's last transaction is still in flight.
     */
    boolean mustWait(Route lane, ClusterView current, boolean transactionEnding) {
        if (blocking > 0) {
            return true;
        }
        return switch (lane) {
            case PINNED -> master > 0 || pinned > 0 && transactionEnding;
            case BLOCKING -> master > 0 || pinned > 0;
            default -> pinned > 0 || master > 0 && current.owners() != inflightView;
        };
    }

    /** {@code c} was just sent under {@code view}, on {@code conn} when it is a blocking command's own. */
    void started(ShardCall c, ClusterView view, BackendConnection conn) {
        if (c.pinned) {
            pinned++;
        } else if (conn != null) {
            blocking++;
            c.dedicated = conn;
            blockingConnections.add(conn);
            blockedOn = conn;
        } else if (c.toMaster && master++ == 0) {
            inflightView = view == null ? null : view.owners();
        }
        if (c.slot >= 0) {
            overtakes(c);
        }
        if (c.write) {
            fences.writeSent(c.node);
            if (c.multiKey) {
                if (multiKeyWrites == multiKeyCalls.length) {
                    multiKeyCalls = java.util.Arrays.copyOf(multiKeyCalls, multiKeyWrites * 2);
                }
                multiKeyCalls[multiKeyWrites++] = c;
            }
        }
    }

    /**
     * {@code c} goes out while a multi-key write of the client to its slot is in flight (the proxy did not know
     * the slot was migrating, or the write would have held it back): should that write be answered TRYAGAIN,
     * sending it again would run it after {@code c}, so its client gets the TRYAGAIN instead (ClusterErrors).
     */
    private void overtakes(ShardCall c) {
        for (int i = 0; i < multiKeyWrites; i++) {
            if (multiKeyCalls[i].slot == c.slot) {
                multiKeyCalls[i].overtaken = true;
            }
        }
    }

    /** The twin of {@link #started}, when {@code c}'s reply or failure arrives. */
    void ended(ShardCall c) {
        if (c.pinned) {
            pinned--;
        } else if (c.dedicated != null) {
            blocking--;
            blockingConnections.remove(c.dedicated);
            if (blockedOn == c.dedicated) {
                blockedOn = null;
            }
        } else if (c.toMaster) {
            master--;
        }
        if (c.write) {
            fences.writeEnded(c.node);
            if (c.multiKey) {
                for (int i = 0; i < multiKeyWrites; i++) {
                    if (multiKeyCalls[i] == c) {
                        multiKeyCalls[i] = multiKeyCalls[--multiKeyWrites];
                        multiKeyCalls[multiKeyWrites] = null;
                        break;
                    }
                }
            }
        }
    }

    /**
     * Whether a multi-key write to {@code slot} is in flight: during a slot's migration a node answers such a
     * write TRYAGAIN, and it is sent again later, so nothing of this client's for that slot may pass it.
     */
    boolean multiKeyWriteInFlight(int slot) {
        for (int i = 0; i < multiKeyWrites; i++) {
            if (multiKeyCalls[i].slot == slot) {
                return true;
            }
        }
        return false;
    }

    ShardFences fences() {
        return fences;
    }

    int pinnedInflight() {
        return pinned;
    }

    boolean blocked() {
        return blocking > 0;
    }

    /** The connection a blocking command waits on, or null; read by CLIENT UNBLOCK on other event loops. */
    BackendConnection blockedOn() {
        return blockedOn;
    }

    /** The client has gone: the connections its blocking commands wait on are closed. */
    void clientClosed() {
        for (BackendConnection conn : new ArrayList<>(blockingConnections)) {
            conn.discard("client disconnected while blocked");
        }
        blockingConnections.clear();
        blockedOn = null;
    }
}
