package io.resplit.server;

import io.resplit.resp.RespRequest;
import io.resplit.route.Route;
import io.resplit.slowlog.SlowLog;
import io.resplit.slowlog.SlowLogArgs;
import io.resplit.slowlog.SlowLogEntry;

/**
 * Offers a client's finished requests to the slow log. The time counted is the client's wait for the answer
 * from the proxy's point of view: from the request's arrival to its reply (or failure) coming back, so a slow
 * node, a long queue or writes held during a failover all show. Blocking commands and subscriptions are left
 * out (their wait is the point), and so are commands Redis leaves out of its own slow log (EXEC).
 */
final class SlowRequests {
    private final SlowLog log;
    private final ClientHandler client;

    SlowRequests(SlowLog log, ClientHandler client) {
        this.log = log;
        this.client = client;
    }

    /** The clock to read when {@code p}'s answer arrives: 0 (no read) when {@code p} was not timed. */
    static long now(PendingReply p) {
        return p.startNanos == 0 ? 0 : System.nanoTime();
    }

    /** {@code p}'s answer came back at {@code nowNanos}; its request is still held. */
    void finished(PendingReply p, long nowNanos) {
        long took = nowNanos - p.startNanos;
        // a blocking command may run on the pinned lane (under WATCH): its route says what it is
        if (p.startNanos == 0 || took < log.thresholdNanos() || p.request == null || p.lane() == Route.BLOCKING
                || p.route() == Route.BLOCKING || p.route() == Route.PUBSUB
                || p.spec != null && p.spec.hasFlag("skip_slowlog")) {
            return;
        }
        RespRequest r = p.request;
        java.util.List<byte[]> args = SlowLogArgs.of(new SlowLogArgs.Source() {
            @Override
            public int argc() {
                return r.argc();
            }

            @Override
            public int length(int i) {
                return r.argLength(i);
            }

            @Override
            public byte[] prefix(int i, int n) {
                byte[] out = new byte[n];
                r.bytes().getBytes(r.argOffset(i), out);
                return out;
            }
        });
        String name = client.session() == null || client.session().name() == null ? "" : client.session().name();
        String addr = ClientInfo.addr(client); // everything built before the log's lock is taken
        String route = CommandMeters.routeLabel(p);
        String node = p.node == null ? "" : p.node.address().toString();
        long at = System.currentTimeMillis() / 1000;
        log.add(id -> new SlowLogEntry(id, at, took / 1000, args, addr, name, route, node));
    }
}
