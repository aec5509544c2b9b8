package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resplit.config.HostPort;
import io.resplit.resp.RespFrames;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking one-shot client for the control plane (start-up introspection of the master), never used on an
 * event loop. Authenticates like every backend connection, then sends the given commands and returns their
 * decoded replies.
 */
public final class ControlClient {
    private ControlClient() {
    }

    /** One reply: decoded, and its exact bytes. */
    public record Reply(Object value, byte[] raw) {
    }

    public static List<Object> call(HostPort address, BackendCredentials credentials, int timeoutMs,
                                    List<String[]> commands) throws IOException {
        List<Object> values = new ArrayList<>();
        for (Reply r : callRaw(address, credentials, timeoutMs, commands)) {
            values.add(r.value());
        }
        return values;
    }

    /** Like {@link #call}, keeping each reply's bytes too (to pass the master's own COMMAND entries on). */
    public static List<Reply> callRaw(HostPort address, BackendCredentials credentials, int timeoutMs,
                                      List<String[]> commands) throws IOException {
        List<String[]> all = new ArrayList<>();
        if (credentials.present()) {
            all.add(credentials.user() == null ? new String[] {"AUTH", credentials.password()}
                    : new String[] {"AUTH", credentials.user(), credentials.password()});
        }
        all.addAll(commands);
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address.host(), address.port()), timeoutMs);
            plain.setSoTimeout(timeoutMs);
            Socket s = credentials.tls() == null ? plain : credentials.tls().wrap(plain, address);
            write(s.getOutputStream(), all);
            List<Reply> replies = readReplies(s.getInputStream(), all.size());
            if (credentials.present()) {
                Object authReply = replies.remove(0).value();
                if (authReply instanceof RespValues.Error e) {
                    throw new IOException("backend " + address + " refused AUTH: " + e.message());
                }
            }
            return replies;
        }
    }

    /** Writes {@code commands} as RESP requests and flushes them. */
    public static void write(OutputStream out, List<String[]> commands) throws IOException {
        for (String[] cmd : commands) {
            RespRequest req = RespRequest.of(Unpooled.buffer().alloc(), cmd);
            try {
                byte[] bytes = new byte[req.frame().readableBytes()];
                req.frame().getBytes(req.frame().readerIndex(), bytes);
                out.write(bytes);
            } finally {
                req.release();
            }
        }
        out.flush();
    }

    private static List<Reply> readReplies(InputStream in, int count) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        List<Reply> replies = new ArrayList<>();
        byte[] chunk = new byte[64 * 1024];
        try {
            while (replies.size() < count) {
                int n = in.read(chunk);
                if (n < 0) {
                    throw new IOException("connection closed after " + replies.size() + " of " + count + " replies");
                }
                buf.writeBytes(chunk, 0, n);
                int len;
                while (replies.size() < count && (len = RespFrames.length(buf, buf.readerIndex())) > 0) {
                    byte[] raw = new byte[len];
                    buf.getBytes(buf.readerIndex(), raw);
                    replies.add(new Reply(RespValues.read(buf), raw));
                }
            }
        } finally {
            buf.release();
        }
        return replies;
    }
}
