package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.backend.ReplyCallback;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import java.util.ArrayList;
import java.util.List;

/**
 * SCRIPT KILL and FUNCTION KILL: sent at once, each on a connection of its own, to the master and every
 * replica (an EVAL_RO or FCALL_RO may run on a replica); in cluster mode to every master and replica of every
 * shard, as a runaway script may run on any of them (Redis's tips: request_policy all_shards, response_policy
 * one_succeeded). A busy script blocks the connection it runs on, and on a shared backend connection the kill
 * would wait behind it for ever; Redis accepts these commands (and the HELLO that opens a connection) while a
 * script runs. The answer is OK when one node killed a script, else a node's refusal other than NOTBUSY
 * (UNKILLABLE: a script that wrote), else the first master's NOTBUSY.
 */
final class ScriptKillCommand {
    void execute(ClientHandler c, RespRequest r, CommandSpec spec) {
        sendToEach(c, r, spec, targets(c.context()));
    }

    /**
     * Sends {@code r} to each of {@code nodes} at once, on connections of its own (a busy node still takes
     * them), and answers the client as {@link ScriptKillCommand} does: the first success, else the first refusal
     * other than NOTBUSY, else the first node's. Also how CLIENT UNBLOCK reaches the one cluster node a client
     * blocks on. Takes ownership of {@code r}.
     */
    static void sendToEach(ClientHandler c, RespRequest r, CommandSpec spec, List<BackendNode> nodes) {
        PendingReply p = new PendingReply(c, null, spec, Route.LOCAL);
        c.enqueue(p);
        if (nodes.isEmpty()) {
            r.release();
            c.complete(p, RespWriter.error(c.alloc(), "ERR resplit: the master is unavailable"));
            return;
        }
        Outcome outcome = new Outcome(c, p, nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            BackendNode node = nodes.get(i);
            int index = i;
            BackendConnection conn = node.isUp() || node.busy().isBusy()
                    ? node.dedicated(c.channel().eventLoop(), c.session().loopIndex(), 2, 0) : null;
            if (conn == null) {
                outcome.answered(index, null);
                continue;
            }
            conn.send(r.retainedFrame(), new ReplyCallback() {
                @Override
                public void onReply(ByteBuf frame) {
                    node.releaseDedicated(conn, c.session().loopIndex(), true);
                    if (frame.getByte(frame.readerIndex()) == '+' || startsWith(frame, "-NOTBUSY")) {
                        node.busy().ended(); // killed, or nothing ran: clients need not wait for the next health check
                    }
                    outcome.answered(index, frame);
                }

                @Override
                public void onFailure(String reason, boolean maybeApplied) {
                    outcome.answered(index, null);
                }
            });
        }
        r.release();
    }

    /** Every node a script may run on, masters first (the first master's answer stands when none ran one). */
    private static List<BackendNode> targets(ProxyContext ctx) {
        if (ctx.cluster() == null) {
            return ctx.topology().current().nodes(); // master first
        }
        List<BackendNode> nodes = new ArrayList<>();
        List<io.resplit.topology.Topology> shards = ctx.cluster().view().shardsBySlot();
        shards.forEach(s -> nodes.add(s.master()));
        shards.forEach(s -> nodes.addAll(s.replicas()));
        return nodes;
    }

    /** Collects one answer per node, then completes the client's reply. Used on the client's event loop only. */
    private static final class Outcome {
        private final ClientHandler client;
        private final PendingReply reply;
        private final ByteBuf[] answers;
        private int waiting;

        Outcome(ClientHandler client, PendingReply reply, int nodes) {
            this.client = client;
            this.reply = reply;
            this.answers = new ByteBuf[nodes];
            this.waiting = nodes;
        }

        void answered(int index, ByteBuf frame) {
            answers[index] = frame;
            if (--waiting > 0) {
                return;
            }
            ByteBuf chosen = first(a -> a.getByte(a.readerIndex()) != '-'); // a node killed its script
            if (chosen == null) {
                chosen = first(a -> !startsWith(a, "-NOTBUSY")); // UNKILLABLE, or a node's other refusal
            }
            if (chosen == null) {
                chosen = answers[0]; // the (first) master's NOTBUSY
            }
            List<ByteBuf> rest = new ArrayList<>();
            for (ByteBuf a : answers) {
                if (a != null && a != chosen) {
                    rest.add(a);
                }
            }
            rest.forEach(ByteBuf::release);
            if (client.discardsReplies()) {
                if (chosen != null) {
                    chosen.release();
                }
                return;
            }
            client.complete(reply, chosen != null ? chosen
                    : RespWriter.error(client.alloc(), "ERR resplit: the master is unavailable"));
        }

        private ByteBuf first(java.util.function.Predicate<ByteBuf> test) {
            for (ByteBuf a : answers) {
                if (a != null && test.test(a)) {
                    return a;
                }
            }
            return null;
        }
    }

    private static boolean startsWith(ByteBuf frame, String prefix) {
        return frame.readableBytes() >= prefix.length() && frame.toString(frame.readerIndex(), prefix.length(),
                java.nio.charset.StandardCharsets.US_ASCII).equals(prefix);
    }
}
