package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import io.resplit.util.SdsSplitArgs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same commands sent to one Redis directly and through resplit must get the same bytes back: catches the
 * differences nobody thought to test. Commands come from {@code differential/commands.txt}; the direct
 * connection and the proxy use two databases of the same master, so every key starts out the same.
 */
class DifferentialIT {

    @Test
    void proxyRepliesEqualDirectRepliesInResp2AndResp3() throws Exception {
        List<String> lines = corpus();
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) {
            for (int protocol = 2; protocol <= 3; protocol++) {
                try (Conn direct = new Conn(topology.master().port(), "node-secret", protocol, 5);
                     Conn viaProxy = new Conn(proxy.port(), ProxyUnderTest.PASSWORD, protocol, 6)) {
                    for (String line : lines) {
                        byte[] request = multibulk(line);
                        String expected = direct.call(request);
                        String actual = viaProxy.call(request);
                        assertEquals(expected, actual, "RESP" + protocol + " reply to: " + line);
                    }
                }
            }
        }
    }

    private static List<String> corpus() throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = DifferentialIT.class.getResourceAsStream("/differential/commands.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    private static byte[] multibulk(String line) {
        List<byte[]> args = SdsSplitArgs.split(line.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(a);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** A raw connection that returns each reply's exact bytes. */
    private static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conn(int port, String password, int protocol, int db) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            if (protocol == 3) {
                call(multibulk("HELLO 3 AUTH default " + password));
            } else {
                call(multibulk("AUTH " + password));
            }
            call(multibulk("SELECT " + db));
        }

        String call(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            readValue(reply);
            return reply.toString(StandardCharsets.ISO_8859_1);
        }

        private void readValue(ByteArrayOutputStream reply) throws IOException {
            String line = readLine(reply);
            char type = line.charAt(0);
            switch (type) {
                case '$', '=', '!' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n >= 0) {
                        reply.writeBytes(in.readNBytes(n + 2));
                    }
                }
                case '*', '~', '>', '%', '|' -> {
                    long n = Long.parseLong(line.substring(1));
                    long items = type == '%' || type == '|' ? 2 * n : n;
                    for (long i = 0; i < items; i++) {
                        readValue(reply);
                    }
                }
                default -> {
                }
            }
        }

        private String readLine(ByteArrayOutputStream reply) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int prev = -1;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                reply.write(b);
                if (prev == '\r' && b == '\n') {
                    byte[] bytes = line.toByteArray();
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
                prev = b;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
