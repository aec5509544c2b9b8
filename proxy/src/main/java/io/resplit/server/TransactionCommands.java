package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH. A transaction, and WATCH, live on one Redis connection, so from
 * MULTI or WATCH on a client's commands all go to a master connection pinned to it ({@link Route#PINNED});
 * EXEC, DISCARD or UNWATCH ends that, and the connection returns to a pool once their reply is in. The
 * replies (QUEUED, the EXEC array, nil after a WATCH conflict, EXECABORT) are the master's own. Where the other
 * commands go inside MULTI is a routing decision ({@link io.resplit.route.Router#insideMulti}).
 */
final class TransactionCommands {
    private static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

    /** Runs one of the transaction commands; takes ownership of the request. */
    void execute(ClientHandler c, RespRequest r, CommandSpec spec) {
        ClientSession s = c.session();
        if (!spec.arityAccepts(r.argc())) {
            r.release();
            if (s.inMulti()) {
                s.markMultiDirty();
            }
            c.reply(RespWriter.error(c.alloc(), spec.wrongArityError()));
            return;
        }
        switch (spec.name()) {
            case "multi" -> {
                s.inMulti(true); // a nested MULTI goes to the master too, which answers Redis's error
                pinned(c, r, spec);
            }
            case "exec" -> {
                if (!s.inMulti()) {
                    refuse(c, r, "ERR EXEC without MULTI");
                } else if (s.multiDirty()) {
                    abort(c, r, spec);
                } else {
                    end(s);
                    pinned(c, r, spec);
                }
            }
            case "discard" -> {
                if (!s.inMulti()) {
                    refuse(c, r, "ERR DISCARD without MULTI");
                } else {
                    end(s);
                    pinned(c, r, spec);
                }
            }
            case "watch" -> {
                if (c.context().cluster() != null && !s.inMulti()
                        && io.resplit.cluster.ClusterKeys.slot(spec, r) == io.resplit.cluster.ClusterKeys.CROSS_SLOT) {
                    // refused as it arrives, as a cluster node does: it watches nothing, whatever waits before it
                    refuse(c, r, io.resplit.cluster.ClusterKeys.CROSSSLOT_ERROR);
                    return;
                }
                if (!s.inMulti()) {
                    s.watching(true); // inside MULTI the master answers "WATCH inside MULTI is not allowed"
                }
                pinned(c, r, spec);
            }
            case "unwatch" -> {
                if (!s.inMulti() && !s.watching()) {
                    r.release();
                    c.reply(Replies.ok()); // nothing watched: nothing to tell the master
                } else {
                    if (!s.inMulti()) {
                        s.watching(false);
                    }
                    pinned(c, r, spec);
                }
            }
            default -> refuse(c, r, "ERR " + spec.note());
        }
    }

    private static void end(ClientSession s) {
        s.inMulti(false);
        s.watching(false); // EXEC and DISCARD forget watched keys, on Redis as here
    }

    private static void pinned(ClientHandler c, RespRequest r, CommandSpec spec) {
        c.forward(new PendingReply(c, r, spec, Route.PINNED));
    }

    private static void refuse(ClientHandler c, RespRequest r, String error) {
        r.release();
        c.reply(RespWriter.error(c.alloc(), error));
    }

    /**
     * EXEC after a command the proxy refused inside MULTI: the master queued the rest, so it gets DISCARD, and
     * the client gets the EXECABORT it would get from Redis after a queueing error.
     */
    private static void abort(ClientHandler c, RespRequest exec, CommandSpec spec) {
        exec.release();
        end(c.session());
        PendingReply p = new PendingReply(c, RespRequest.of(c.alloc(), "DISCARD"), spec, Route.PINNED);
        p.transform((ByteBuf discardReply) -> {
            discardReply.release();
            return RespWriter.error(c.alloc(), EXECABORT);
        });
        c.forward(p);
    }
}
