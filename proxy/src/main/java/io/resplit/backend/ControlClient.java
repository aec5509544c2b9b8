package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resplit.config.HostPort;
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

    public static List<Object> call(HostPort address, BackendCredentials credentials, int timeoutMs,
                                    List<String[]> commands) throws IOException {
        List<String[]> all = new ArrayList<>();
        if (credentials.present()) {
            all.add(credentials.user() == null ? new String[] {"AUTH", credentials.password()}
                    : new String[] {"AUTH", credentials.user(), credentials.password()});
        }
        all.addAll(commands);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address.host(), address.port()), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            for (String[] cmd : all) {
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
            List<Object> replies = readReplies(s.getInputStream(), all.size());
            if (credentials.present()) {
                Object authReply = replies.remove(0);
                if (authReply instanceof RespValues.Error e) {
                    throw new IOException("backend " + address + " refused AUTH: " + e.message());
                }
            }
            return replies;
        }
    }

    private static List<Object> readReplies(InputStream in, int count) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        List<Object> replies = new ArrayList<>();
        byte[] chunk = new byte[64 * 1024];
        try {
            while (replies.size() < count) {
                int n = in.read(chunk);
                if (n < 0) {
                    throw new IOException("connection closed after " + replies.size() + " of " + count + " replies");
                }
                buf.writeBytes(chunk, 0, n);
                while (replies.size() < count && buf.isReadable()) {
                    int mark = buf.readerIndex();
                    try {
                        replies.add(RespValues.read(buf));
                    } catch (IndexOutOfBoundsException | NumberFormatException incomplete) {
                        buf.readerIndex(mark); // wait for the rest of the reply
                        break;
                    }
                }
            }
        } finally {
            buf.release();
        }
        return replies;
    }
}
