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
 * What every backend connection says before it carries traffic: {@code HELLO 2|3 AUTH user password SETNAME
 * name} (the protocol, the configured credentials, and a name operators can tell the proxy's connections by in
 * CLIENT LIST), then SELECT of its database when not 0, and READONLY towards a Redis Cluster (a replica then
 * serves reads of its master's slots; a master ignores it). Pipelined; a refusal closes the connection and marks
 * the node down with the server's own error in the log (a wrong masterauth shows up there as WRONGPASS).
 * HELLO needs Redis 6 or later.
 */
final class Handshake {
    private static final Logger log = LoggerFactory.getLogger(Handshake.class);

    private final BackendCredentials credentials;
    private final String clientName;
    private final boolean cluster;

    Handshake(BackendCredentials credentials, String clientName, boolean cluster) {
        this.credentials = credentials;
        this.clientName = clientName;
        this.cluster = cluster;
    }

    void start(BackendConnection conn) {
        // one HELLO authenticates, sets the protocol and names the connection: Redis accepts it while a script
        // runs (BUSY), as it does not AUTH + CLIENT SETNAME, so a busy node still gets new connections
        List<String> hello = new ArrayList<>(List.of("HELLO", Integer.toString(conn.protocol())));
        if (credentials.present()) {
            hello.addAll(List.of("AUTH", credentials.user() == null ? "default" : credentials.user(),
                    credentials.password()));
        }
        hello.addAll(List.of("SETNAME", clientName));
        send(conn, hello.toArray(String[]::new), conn.db() == 0 && !cluster, 0);
        if (conn.db() != 0) {
            send(conn, new String[] {"SELECT", Integer.toString(conn.db())}, !cluster, 0);
        }
        if (cluster) {
            send(conn, new String[] {"READONLY"}, true, 0);
        }
    }

    private static void send(BackendConnection conn, String[] step, boolean last, int attempt) {
        RespRequest req = RespRequest.of(ByteBufAllocator.DEFAULT, step);
        // the connection's write takes over the request's only reference
        conn.sendHandshakeStep(req.frame(), new Step(conn, step, last, attempt));
    }

    /** The callback for one handshake reply. */
    static final class Step implements ReplyCallback {
        /** SELECT answered BUSY (a script runs): asked again this often, this many times at most. */
        private static final long BUSY_RETRY_MS = 100;
        private static final int BUSY_RETRIES = 600;

        private final BackendConnection conn;
        private final String[] step;
        private final boolean last;
        private final int attempt;

        Step(BackendConnection conn, String[] step, boolean last, int attempt) {
            this.conn = conn;
            this.step = step;
            this.last = last;
            this.attempt = attempt;
        }

        @Override
        public void onReply(ByteBuf frame) {
            try {
                Object reply = RespValues.read(frame);
                if (reply instanceof RespValues.Error err) { // HELLO answers a map: anything but an error is fine
                    boolean readonly = "READONLY".equals(step[0]);
                    if (err.message().startsWith("BUSY") && (attempt < BUSY_RETRIES || readonly) && !conn.isClosed()) {
                        // SELECT waits for the script to end (or be killed), without failing the node; READONLY
                        // need not: a master ignores it, and SCRIPT KILL must get through to a busy node, so
                        // the connection serves now and READONLY is asked again, for as long as the script runs
                        if (readonly && last) {
                            conn.ready();
                        }
                        conn.loop().schedule(() -> {
                            if (!conn.isClosed()) {
                                send(conn, step, last && !readonly, attempt + 1);
                            }
                        }, BUSY_RETRY_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
                        return;
                    }
                    // only the error code and text Redis sent, which never contain the password
                    String reason = "backend " + conn.node().address() + " refused " + step[0] + ": " + err.message();
                    log.error("{} (check masterauth/masteruser in the config)", reason);
                    conn.close(reason);
                } else {
                    if ("HELLO".equals(step[0]) && reply instanceof List<?> fields) {
                        conn.serverId(helloId(fields));
                    }
                    if (last) {
                        conn.ready();
                    }
                }
            } finally {
                frame.release();
            }
        }

        /** The "id" field of HELLO's reply (a flat list of names and values): the connection's id on the server. */
        private static long helloId(List<?> fields) {
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("id".equals(fields.get(i)) && fields.get(i + 1) instanceof Long id) {
                    return id;
                }
            }
            return 0;
        }

        @Override
        public void onFailure(String reason, boolean maybeApplied) {
            // the connection is closing already and reports the reason itself
        }
    }
}
