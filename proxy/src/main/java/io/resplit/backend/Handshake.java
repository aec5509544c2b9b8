package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.resp.RespValues;
import io.resplit.resp.RespRequest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every backend connection says before it carries traffic: AUTH with the configured credentials, HELLO 3
 * for a RESP3 connection, SELECT of its database, and CLIENT SETNAME so operators can tell the proxy's connections apart in CLIENT LIST. The
 * steps are pipelined; every reply must be OK, otherwise the connection closes and the node is marked down
 * with the server's own error in the log (a wrong masterauth shows up there as WRONGPASS).
 */
final class Handshake {
    private static final Logger log = LoggerFactory.getLogger(Handshake.class);

    private final BackendCredentials credentials;
    private final String clientName;

    Handshake(BackendCredentials credentials, String clientName) {
        this.credentials = credentials;
        this.clientName = clientName;
    }

    void start(BackendConnection conn) {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        List<String[]> steps = new ArrayList<>();
        if (credentials.present()) {
            steps.add(credentials.user() == null
                    ? new String[] {"AUTH", credentials.password()}
                    : new String[] {"AUTH", credentials.user(), credentials.password()});
        }
        if (conn.protocol() == 3) {
            steps.add(new String[] {"HELLO", "3"});
        }
        if (conn.db() != 0) {
            steps.add(new String[] {"SELECT", Integer.toString(conn.db())});
        }
        steps.add(new String[] {"CLIENT", "SETNAME", clientName});
        for (int i = 0; i < steps.size(); i++) {
            RespRequest req = RespRequest.of(alloc, steps.get(i));
            // the connection's write takes over the request's only reference
            conn.sendHandshakeStep(req.frame(), new Step(conn, steps.get(i)[0], i == steps.size() - 1));
        }
    }

    /** The callback for one handshake reply. */
    static final class Step implements ReplyCallback {
        private final BackendConnection conn;
        private final String command;
        private final boolean last;

        Step(BackendConnection conn, String command, boolean last) {
            this.conn = conn;
            this.command = command;
            this.last = last;
        }

        @Override
        public void onReply(ByteBuf frame) {
            try {
                Object reply = RespValues.read(frame);
                if (reply instanceof RespValues.Error err) { // HELLO answers a map: anything but an error is fine
                    // the error text never contains the password, so it is safe to log as Redis sent it
                    String reason = "backend " + conn.node().address() + " refused " + command + ": " + err.message();
                    log.error("{} (check masterauth/masteruser in the config)", reason);
                    conn.close(reason);
                } else if (last) {
                    conn.ready();
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void onFailure(String reason, boolean maybeApplied) {
            // the connection is closing already and reports the reason itself
        }
    }
}
