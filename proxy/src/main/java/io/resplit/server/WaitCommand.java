package io.resplit.server;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.ReadYourWrites;
import io.resplit.route.Route;
import io.resplit.topology.Topology;
import java.util.concurrent.TimeUnit;

/**
 * WAIT numreplicas timeout, answered by the proxy: a client's writes travel on connections shared with other
 * clients, so Redis's own WAIT (which tracks the offset of the connection's last write) cannot be used there.
 * The proxy knows the master's offset after this client's last write (the read-your-writes fence) and each
 * replica's processed offset from its health checks; it counts the configured replicas that have reached it,
 * re-checking at the health-check interval until enough have or the timeout passes.
 */
final class WaitCommand {
    void execute(ClientHandler c, RespRequest r) {
        if (c.context().cluster() != null) {
            // a client's writes go to several masters there, each with replicas of its own
            c.reply(LocalCommands.error(c, "ERR resplit: WAIT is not supported in cluster mode yet"));
            return;
        }
        Long wanted = r.argLong(1);
        Long timeoutMs = r.argLong(2);
        if (wanted == null || timeoutMs == null) {
            c.reply(LocalCommands.error(c, "ERR value is not an integer or out of range"));
            return;
        }
        if (timeoutMs < 0) {
            c.reply(LocalCommands.error(c, "ERR timeout is negative"));
            return;
        }
        PendingReply p = new PendingReply(c, null, null, Route.LOCAL); // holds the reply's place
        c.enqueue(p);
        long deadline = timeoutMs == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        check(c, p, wanted, deadline);
    }

    private void check(ClientHandler c, PendingReply p, long wanted, long deadline) {
        if (c.discardsReplies()) {
            return;
        }
        RuntimeSnapshot now = c.context().runtime(); // the current one at each check: a failover may move the master
        Topology t = now.topology();
        long minOffset = c.session().readYourWrites().minReplicaOffset(t.master());
        long acked = minOffset == ReadYourWrites.MASTER_ONLY ? 0 : acked(t, minOffset);
        if (acked >= wanted || System.nanoTime() >= deadline) {
            c.complete(p, RespWriter.integer(c.alloc(), acked));
            return;
        }
        long interval = Math.max(1, now.config().healthCheckIntervalMs() / 2);
        c.channel().eventLoop().schedule(() -> check(c, p, wanted, deadline), interval, TimeUnit.MILLISECONDS);
    }

    private static long acked(Topology t, long minOffset) {
        long n = 0;
        for (BackendNode replica : t.replicas()) {
            NodeState s = replica.state();
            if (s.up() && s.info() != null && s.info().linkUp() && s.offset() >= Math.max(0, minOffset)) {
                n++;
            }
        }
        return n;
    }
}
