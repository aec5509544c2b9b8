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
 * replica (an EVAL_RO or FCALL_RO may run on a replica). A busy script blocks the connection it runs on, and on
 * a shared backend connection the kill would wait behind it for ever; Redis accepts these commands (and the
 * HELLO that opens a connection) while a script runs. The answer is OK when one node killed a script, else the
 * master's (NOTBUSY, UNKILLABLE).
 */
final class ScriptKillCommand {
    void execute(ClientHandler c, RespRequest r, CommandSpec spec) {
        List<BackendNode> nodes = c.context().topology().current().nodes(); // master first
        PendingReply p = new PendingReply(c, null, spec, Route.LOCAL);
        c.enqueue(p);
        Outcome outcome = new Outcome(c, p, nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            BackendNode node = nodes.get(i);
            int index = i;
            BackendConnection conn = node.isUp() || node.isBusy()
                    ? node.dedicated(c.channel().eventLoop(), c.session().loopIndex(), 2, 0) : null;
            if (conn == null) {
                outcome.answered(index, null);
                continue;
            }
            conn.send(r.retainedFrame(), new ReplyCallback() {
                @Override
                public void onReply(ByteBuf frame) {
                    node.releaseDedicated(conn, c.session().loopIndex(), true);
                    byte first = frame.getByte(frame.readerIndex());
                    if (first == '+' || frame.toString(frame.readerIndex(), Math.min(8, frame.readableBytes()),
                            java.nio.charset.StandardCharsets.US_ASCII).startsWith("-NOTBUSY")) {
                        node.notBusy(); // killed, or nothing ran: clients need not wait for the next health check
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
            ByteBuf chosen = null;
            for (ByteBuf a : answers) {
                if (a != null && chosen == null && a.getByte(a.readerIndex()) == '+') {
                    chosen = a; // a node killed its script
                }
            }
            if (chosen == null) {
                chosen = answers[0]; // the master's NOTBUSY or UNKILLABLE
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
    }
}
