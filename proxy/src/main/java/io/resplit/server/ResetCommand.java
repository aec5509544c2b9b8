package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;

/**
 * RESET: the connection as if new, as Redis does it: a transaction discarded and keys unwatched (on the pinned
 * master connection that holds them), subscriptions, MONITOR and tracking ended, CLIENT REPLY ON, the name
 * cleared, database 0, RESP2, the default user. Answers {@code +RESET} in its place among the replies.
 */
final class ResetCommand {
    void execute(ClientHandler c, CommandSpec spec) {
        ClientSession s = c.session();
        PendingReply onPinned = null;
        if (s.inMulti() || s.watching()) {
            // made before the database and protocol change: it goes to the pinned connection as it stands
            onPinned = new PendingReply(c, RespRequest.of(c.alloc(), s.inMulti() ? "DISCARD" : "UNWATCH"), spec,
                    Route.PINNED);
            onPinned.transform((ByteBuf reply) -> {
                reply.release(); // DISCARD's or UNWATCH's OK: the client asked for RESET
                return resetReply(c);
            });
            s.inMulti(false);
            s.watching(false);
        }
        c.tracking().stop();
        c.reset();
        s.name(null);
        s.db(0);
        s.protocol(2);
        if (onPinned != null) {
            c.forward(onPinned);
        } else {
            c.reply(resetReply(c));
        }
    }

    private static ByteBuf resetReply(ClientHandler c) {
        return RespWriter.simple(c.alloc(), "RESET");
    }
}
