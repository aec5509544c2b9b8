package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespFrames;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * CONFIG GET: the master's answer without the parameters that hold the backends' credentials. An application
 * authenticated with the proxy's own password must not learn the password (or user) the proxy uses on the
 * backends: with it, it could bypass the proxy and administer them. The pairs are dropped, as Redis drops a
 * parameter that does not exist; every other pair is passed on byte for byte.
 */
final class ConfigGetCommand {
    /** Redis parameters whose values are credentials. */
    static final Set<String> SECRET = Set.of("requirepass", "masterauth", "masteruser", "primaryauth",
            "primaryuser", "tls-key-file-pass", "tls-client-key-file-pass");

    /** Sends CONFIG GET to the master; takes ownership of the request. */
    void forward(ClientHandler c, RespRequest r, CommandSpec spec) {
        PendingReply p = new PendingReply(c, r, spec, Route.LOCAL);
        io.resplit.backend.BackendCredentials creds = c.context().backendCredentials();
        java.util.List<String> values = new java.util.ArrayList<>();
        if (creds.password() != null && !creds.password().isEmpty()) {
            values.add(creds.password());
        }
        if (creds.user() != null && !creds.user().isEmpty()) {
            values.add(creds.user());
        }
        p.transform(reply -> withoutSecrets(reply, values));
        c.forward(p);
    }

    /**
     * The reply without secret name/value pairs, by name, and any pair whose value is one of {@code values} (the
     * backends' password and user, under whatever name a server keeps them); takes ownership of {@code reply}.
     */
    static ByteBuf withoutSecrets(ByteBuf reply, java.util.List<String> values) {
        int start = reply.readerIndex();
        byte type = reply.getByte(start);
        if (type != '*' && type != '%') {
            return reply; // an error: as the master said it
        }
        int header = RespFrames.lineLength(reply, start);
        long count = Long.parseLong(reply.toString(start + 1, header - 3, StandardCharsets.US_ASCII));
        long pairs = type == '%' ? count : count / 2;
        int at = start + header;
        int[] keep = new int[(int) pairs * 2]; // start and end of each kept pair
        int kept = 0;
        for (long i = 0; i < pairs; i++) {
            int nameLen = RespFrames.length(reply, at);
            int valueLen = RespFrames.length(reply, at + nameLen);
            if (!SECRET.contains(bulkText(reply, at).toLowerCase(Locale.ROOT))
                    && !values.contains(bulkText(reply, at + nameLen))) {
                keep[2 * kept] = at;
                keep[2 * kept + 1] = at + nameLen + valueLen;
                kept++;
            }
            at += nameLen + valueLen;
        }
        if (kept == pairs) {
            return reply;
        }
        ByteBuf out = reply.alloc().buffer(reply.readableBytes());
        if (type == '%') {
            RespWriter.writeMapHeader(out, kept, 3);
        } else {
            RespWriter.writeArrayHeader(out, 2L * kept);
        }
        for (int k = 0; k < kept; k++) {
            out.writeBytes(reply, keep[2 * k], keep[2 * k + 1] - keep[2 * k]);
        }
        reply.release();
        return out;
    }

    /** The text of the bulk (or simple) string at {@code index}. */
    private static String bulkText(ByteBuf buf, int index) {
        int line = RespFrames.lineLength(buf, index);
        if (buf.getByte(index) != '$') {
            return buf.toString(index + 1, line - 3, StandardCharsets.UTF_8);
        }
        int len = Integer.parseInt(buf.toString(index + 1, line - 3, StandardCharsets.US_ASCII));
        return len < 0 ? "" : buf.toString(index + line, len, StandardCharsets.UTF_8);
    }
}
