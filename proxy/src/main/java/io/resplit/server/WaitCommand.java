package io.resplit.server;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import io.resplit.cluster.ClusterView;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.ReadYourWrites;
import io.resplit.route.Route;
import io.resplit.route.ShardFences;
import io.resplit.topology.Topology;
import java.util.concurrent.TimeUnit;

/**
 * WAIT numreplicas timeout, answered by the proxy: a client's writes travel on connections shared with other
 * clients, so Redis's own WAIT (which tracks the offset of the connection's last write) cannot be used there.
 * The proxy knows the master's offset after this client's last write (the read-your-writes fence) and each
 * replica's processed offset from its health checks; it counts the configured replicas that have reached it,
 * re-checking at the health-check interval until enough have or the timeout passes.
 *
 * <p>While requests the client sent before WAIT are still held by the proxy (behind a blocking command or a lane
 * switch, at the write gate, waiting for a master or for a retry), their writes have not run: WAIT waits for
 * them to go out, and its timeout starts then, as Redis runs WAIT only after them.
 *
 * <p>In cluster mode a client's writes go to several masters, each with replicas of its own: the count is that
 * of the shard worst off among those the client wrote to (every shard when it wrote to none), each shard's
 * replicas measured against the client's fence there. So {@code WAIT 1 t} answering 1 means every write of
 * the client is on at least one replica of its shard.
 */
final class WaitCommand {
    void execute(ClientHandler c, RespRequest r) {
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
        long interval = Math.max(1, now.config().healthCheckIntervalMs() / 2);
        if (c.clusterForwarder() != null ? c.clusterForwarder().holdsRequests() : c.forwarder().holdsRequests()) {
            // requests sent before WAIT have not gone out yet (behind a blocking command, waiting for a master or
            // a retry): their writes are on no replica. Redis runs WAIT after them, so its timeout starts then
            long later = deadline == Long.MAX_VALUE ? deadline : deadline + TimeUnit.MILLISECONDS.toNanos(interval);
            c.channel().eventLoop().schedule(() -> check(c, p, wanted, later), interval, TimeUnit.MILLISECONDS);
            return;
        }
        long acked = c.clusterForwarder() != null ? clusterAcked(c)
                : acked(now.topology(), c.session().readYourWrites().minReplicaOffset(now.topology().master()));
        if (acked >= wanted || System.nanoTime() >= deadline) {
            c.complete(p, RespWriter.integer(c.alloc(), acked));
            return;
        }
        c.channel().eventLoop().schedule(() -> check(c, p, wanted, deadline), interval, TimeUnit.MILLISECONDS);
    }

    /** The replicas of the shard worst off among those the client wrote to (all, if it wrote to none). */
    private static long clusterAcked(ClientHandler c) {
        ClusterView view = c.context().cluster().view();
        ShardFences fences = c.clusterForwarder().writeFences(view);
        boolean wrote = fences.hasWritten();
        long least = Long.MAX_VALUE;
        for (Topology shard : view.shards()) {
            if (!wrote || fences.wroteTo(shard.master())) {
                least = Math.min(least, acked(shard, fences.minReplicaOffset(shard.master())));
            }
        }
        return least == Long.MAX_VALUE ? 0 : least;
    }

    /** The replicas in {@code t} that have reached {@code minOffset}; none while it is {@code MASTER_ONLY}. */
    private static long acked(Topology t, long minOffset) {
        if (minOffset == ReadYourWrites.MASTER_ONLY) {
            return 0;
        }
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
