package io.resplit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain socket to the proxy for wire-level tests: send exact bytes, read exact lines, see the close. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
    }

    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** One CRLF-terminated line, without the CRLF; fails after the socket timeout. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed; got so far: " + line);
            }
            if (prev == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            prev = b;
        }
    }

    /** Reads one whole reply of any RESP2/RESP3 type, nested or not, and returns its first line. */
    public String skipReply() throws IOException {
        StringBuilder all = new StringBuilder();
        readReply(all);
        return all.substring(0, all.indexOf("\n"));
    }

    /** Reads one whole reply and returns all of it as text, one line per RESP line (to search it). */
    public String readReplyText() throws IOException {
        StringBuilder all = new StringBuilder();
        readReply(all);
        return all.toString();
    }

    private void readReply(StringBuilder all) throws IOException {
        String line = readLine();
        all.append(line).append('\n');
        char type = line.charAt(0);
        long n = type == '+' || type == '-' || type == ':' || type == '_' || type == ',' || type == '#'
                || type == '(' ? 0 : Long.parseLong(line.substring(1));
        switch (type) {
            case '$', '=', '!' -> {
                if (n >= 0) {
                    all.append(new String(in.readNBytes((int) n + 2), StandardCharsets.UTF_8));
                }
            }
            case '*', '~', '>' -> {
                for (long i = 0; i < n; i++) {
                    readReply(all);
                }
            }
            case '%', '|' -> {
                for (long i = 0; i < 2 * n; i++) {
                    readReply(all);
                }
            }
            default -> {
            }
        }
    }

    /** True when the server closes the connection within the socket timeout (any unread bytes are skipped). */
    public boolean closedByServer() throws IOException {
        try {
            byte[] buf = new byte[4096];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    public void timeoutMillis(int ms) throws IOException {
        socket.setSoTimeout(ms);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
