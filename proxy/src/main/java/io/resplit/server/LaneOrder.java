package io.resplit.server;

import io.resplit.backend.BackendConnection;
import io.resplit.route.ReadYourWrites;
import io.resplit.route.Route;

/**
 * A client's requests in flight on each lane, and the rule that keeps its master commands in the order it sent
 * them although they travel on different connections: a request that would switch master lanes waits until the
 * other master lanes have drained. Also what every send and every answer changes beside the lanes: the node's
 * count of transaction requests in flight (a failover waits for them) and the read-your-writes fence. On the
 * client's event loop, except {@link #blockedOn}, which CLIENT UNBLOCK reads from others.
 */
final class LaneOrder {
    private final int[] inflight = new int[Route.values().length];
    private final ReadYourWrites readYourWrites;
    private volatile BackendConnection blockedOn; // the connection a blocking command waits on

    LaneOrder(ReadYourWrites readYourWrites) {
        this.readYourWrites = readYourWrites;
    }

    /** Whether a request for {@code lane} must wait for requests still in flight on other master lanes. */
    boolean mustWait(Route lane) {
        int shared = inflight[Route.MASTER.ordinal()];
        int pinnedLane = inflight[Route.PINNED.ordinal()];
        int blocking = inflight[Route.BLOCKING.ordinal()];
        return switch (lane) {
            case REPLICA, MASTER -> pinnedLane + blocking > 0;
            case PINNED -> shared + blocking > 0;
            case BLOCKING -> shared + pinnedLane + blocking > 0; // a blocked Redis connection runs nothing else
            default -> throw new IllegalArgumentException("not a lane: " + lane);
        };
    }

    /** {@code p} was just sent on {@code p.lane()} to {@code p.node}. */
    void started(PendingReply p) {
        inflight[p.lane().ordinal()]++;
        if (p.lane() == Route.PINNED) {
            p.node.pinnedStarted();
        }
        if (writesMaybe(p)) {
            readYourWrites.writeSent();
        }
    }

    /** The twin of {@link #started}, when its reply or failure arrives. */
    void ended(PendingReply p) {
        inflight[p.lane().ordinal()]--;
        if (p.lane() == Route.BLOCKING) {
            blockedOn = null;
        }
        if (p.lane() == Route.PINNED) {
            p.node.pinnedEnded();
        }
        if (writesMaybe(p)) {
            readYourWrites.writeEnded(p.node);
        }
    }

    int inflight(Route lane) {
        return inflight[lane.ordinal()];
    }

    /** A blocking command is about to wait on {@code conn}. */
    void blockedOn(BackendConnection conn) {
        blockedOn = conn;
    }

    /** The connection this client's blocking command waits on, or null; read from any thread. */
    BackendConnection blockedOn() {
        return blockedOn;
    }

    /** Whether {@code p} may change data on the master, so later reads must observe it (read-your-writes). */
    private static boolean writesMaybe(PendingReply p) {
        return p.route() == Route.MASTER || p.lane() == Route.PINNED || p.lane() == Route.BLOCKING;
    }
}
