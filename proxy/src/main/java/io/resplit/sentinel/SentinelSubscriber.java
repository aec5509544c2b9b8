package io.resplit.sentinel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resplit.backend.BackendCredentials;
import io.resplit.config.HostPort;
import io.resplit.resp.RespFrames;
import io.resplit.resp.RespValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens to one sentinel's event channels on a thread of its own and reports every event about the monitored
 * master; reconnects with a doubling backoff (100 ms to 5 s) when the sentinel goes away. The events only
 * trigger a poll: what to do is decided from the sentinels' answers, never from a message alone.
 */
final class SentinelSubscriber {
    private static final Logger log = LoggerFactory.getLogger(SentinelSubscriber.class);
    /** The events that can change where the master or the replicas are. */
    static final List<String> CHANNELS = List.of("+switch-master", "+slave", "+sdown", "-sdown", "+odown", "-odown",
            "+convert-to-slave", "+promoted-slave", "+failover-end");
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5000;

    private final HostPort sentinel;
    private final String masterName;
    private final BackendCredentials auth;
    private final int timeoutMs;
    private final Consumer<String> onEvent;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Socket socket;

    SentinelSubscriber(HostPort sentinel, String masterName, BackendCredentials auth, int timeoutMs,
                       Consumer<String> onEvent) {
        this.sentinel = sentinel;
        this.masterName = masterName;
        this.auth = auth;
        this.timeoutMs = timeoutMs;
        this.onEvent = onEvent;
        this.thread = new Thread(this::run, "resplit-sentinel-sub-" + sentinel);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing to end the blocked read; nothing to do
            }
        }
        thread.interrupt();
    }

    private void run() {
        long backoff = MIN_BACKOFF_MS;
        boolean wasConnected = true;
        while (!closed) {
            try (Socket s = new Socket()) {
                socket = s;
                s.connect(new InetSocketAddress(sentinel.host(), sentinel.port()), timeoutMs);
                s.setSoTimeout(timeoutMs); // for the replies to AUTH and SUBSCRIBE; then reads block freely
                s.setKeepAlive(true);
                subscribe(s.getOutputStream());
                InputStream in = s.getInputStream();
                ByteBuf buf = Unpooled.buffer();
                try {
                    readSubscribed(in, buf);
                    if (!wasConnected) {
                        log.info("sentinel {}: listening again", sentinel);
                        onEvent.accept("sentinel " + sentinel + " reachable again");
                    }
                    wasConnected = true;
                    backoff = MIN_BACKOFF_MS;
                    s.setSoTimeout(0);
                    readEvents(in, buf);
                } finally {
                    buf.release();
                }
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (wasConnected) {
                    log.warn("sentinel {}: not listening ({}); retrying with backoff", sentinel, e.getMessage());
                    wasConnected = false;
                }
            }
            if (!closed) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    private void subscribe(OutputStream out) throws IOException {
        List<String[]> commands = new ArrayList<>();
        if (auth.present()) {
            commands.add(auth.user() == null ? new String[] {"AUTH", auth.password()}
                    : new String[] {"AUTH", auth.user(), auth.password()});
        }
        List<String> sub = new ArrayList<>();
        sub.add("SUBSCRIBE");
        sub.addAll(CHANNELS);
        commands.add(sub.toArray(String[]::new));
        io.resplit.backend.ControlClient.write(out, commands);
    }

    /** Reads the AUTH reply and one confirmation per channel; an error reply ends the attempt. */
    private void readSubscribed(InputStream in, ByteBuf buf) throws IOException {
        int expected = CHANNELS.size() + (auth.present() ? 1 : 0);
        for (int i = 0; i < expected; i++) {
            Object reply = next(in, buf);
            if (reply instanceof RespValues.Error e) {
                throw new IOException("sentinel refused: " + e.message().split(" ", 2)[0]);
            }
        }
    }

    private void readEvents(InputStream in, ByteBuf buf) throws IOException {
        while (!closed) {
            Object msg = next(in, buf);
            // ["message", channel, payload]; payloads name the master, e.g. "+switch-master mymaster ip port ip port"
            if (msg instanceof List<?> l && l.size() == 3 && "message".equals(l.get(0))) {
                String channel = String.valueOf(l.get(1));
                String payload = String.valueOf(l.get(2));
                if (List.of(payload.split(" ")).contains(masterName)) {
                    onEvent.accept(channel + " " + payload + " (from " + sentinel + ")");
                }
            }
        }
    }

    private static Object next(InputStream in, ByteBuf buf) throws IOException {
        byte[] chunk = new byte[8192];
        while (true) {
            int len = RespFrames.length(buf, buf.readerIndex());
            if (len > 0) {
                Object value = RespValues.read(buf);
                buf.discardReadBytes();
                return value;
            }
            int n = in.read(chunk);
            if (n < 0) {
                throw new IOException("connection closed by the sentinel");
            }
            buf.writeBytes(chunk, 0, n);
        }
    }
}
