package io.resplit.server;

import io.netty.channel.EventLoop;
import io.resplit.route.Route;
import io.resplit.topology.WriteGate;

/**
 * One client's place at the {@link WriteGate}: while a failover moves the master, the client's master traffic
 * waits (reads for replicas go on) and is sent, to whichever node is master by then, when the gate opens. The
 * client registers with the gate once per closing, however many requests it holds. Event loop only.
 */
final class GateWait {
    private final WriteGate gate;
    private final EventLoop loop;
    private final Runnable opened;
    private boolean waiting;

    /** @param opened runs on {@code loop} when the gate opens after this client had to wait */
    GateWait(WriteGate gate, EventLoop loop, Runnable opened) {
        this.gate = gate;
        this.loop = loop;
        this.opened = opened;
    }

    /** Whether a request on {@code lane} must wait now; a master-bound one registers the client at a closed gate. */
    boolean closedFor(Route lane) {
        if (lane == Route.REPLICA) {
            return false;
        }
        if (waiting) {
            return true;
        }
        if (gate.passOrWait(loop, this::open)) {
            return false;
        }
        waiting = true;
        return true;
    }

    private void open() {
        waiting = false;
        opened.run();
    }
}
