package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.FrameListener;
import io.resplit.resp.RespRequest;
import io.resplit.route.Route;

/**
 * MONITOR: a master connection of the client's own in streaming mode, whose feed goes to the client. The feed
 * shows the commands the master receives, so clients appear as the proxy's backend connections. If that
 * connection is lost the client's connection is closed, as when a monitored Redis goes away.
 */
final class MonitorSession implements FrameListener {
    private final ClientHandler client;
    private BackendConnection conn;

    private MonitorSession(ClientHandler client, BackendConnection conn) {
        this.client = client;
        this.conn = conn;
    }

    /** Starts monitoring with the client's MONITOR request; false when the master is unavailable. */
    static boolean start(ClientHandler client, RespRequest monitor) {
        ClientSession s = client.session();
        BackendConnection conn = client.context().topology().current().master()
                .dedicated(client.channel().eventLoop(), s.loopIndex(), s.protocol(), s.db());
        if (conn == null) {
            return false;
        }
        MonitorSession session = new MonitorSession(client, conn);
        conn.stream(session);
        client.startMonitor(session);
        conn.sendStreamed(monitor.retainedFrame());
        // its +OK comes back as a push, like the feed after it: counted here, once
        client.context().meters(s.loopIndex()).sentOnStream(client.currentSpec(), Route.MASTER);
        return true;
    }

    /** A command from the monitoring client: its Redis connection answers it. Takes ownership. */
    void send(RespRequest r) {
        try {
            if (conn != null) {
                conn.sendStreamed(r.retainedFrame());
            }
        } finally {
            r.release();
        }
    }

    @Override
    public void onFrame(ByteBuf frame) {
        if (client.discardsReplies()) {
            frame.release();
        } else {
            client.push(frame);
        }
    }

    @Override
    public void onClosed(String reason) {
        conn = null;
        client.closeNow();
    }

    void clientWritable(boolean writable) {
        if (conn != null) {
            conn.readFromServer(writable);
        }
    }

    void clientClosed() {
        if (conn != null) {
            BackendConnection c = conn;
            conn = null;
            c.discard("client disconnected");
        }
    }
}
