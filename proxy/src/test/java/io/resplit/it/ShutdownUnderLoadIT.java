package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.uring.IoUring;
import io.resplit.testing.LeakCheckExtension;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A proxy stopped while its clients have pipelined requests in flight closes every connection, releases every
 * buffer those requests held (the leak detector runs at "paranoid" here) and stops within its bounds, over
 * each native transport. Before the stop closed the connections itself, io_uring's loops reached their
 * shutdown timeout with receives pending and left those buffers unreleased.
 */
class ShutdownUnderLoadIT {
    private static final int CLIENTS = 6;
    private static final int ROUNDS = 3;
    /** Requests each client has in flight: 32 SETs and 32 GETs a batch, sent before any reply is read. */
    private static final byte[] BATCH = batch();
    /** The reply lines of one batch: "+OK" for each SET, a length line and the value for each GET. */
    private static final int BATCH_REPLY_LINES = 32 + 2 * 32;

    private static RedisTopology topology;

    @BeforeAll
    static void start() {
        topology = RedisTopology.start(1, "node-secret");
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring"})
    void stopsWithRequestsInFlightWithoutLeakingBuffers(String transport) throws Exception {
        Assumptions.assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "no io_uring here");
        for (int round = 0; round < ROUNDS; round++) {
            ProxyUnderTest proxy = ProxyUnderTest.start(topology, "io-transport " + transport);
            AtomicLong batches = new AtomicLong();
            List<Socket> sockets = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Socket s = new Socket("127.0.0.1", proxy.port());
                sockets.add(s);
                threads.add(daemon(() -> stream(s, batches)));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (batches.get() < 100 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(batches.get() >= 100, "the clients got replies through the proxy: " + batches.get());
            long t0 = System.nanoTime();
            proxy.close(); // the clients are still sending
            long stopMs = (System.nanoTime() - t0) / 1_000_000;
            for (Socket s : sockets) {
                s.close();
            }
            for (Thread t : threads) {
                t.join(5000);
                assertTrue(!t.isAlive(), "a client saw its connection end");
            }
            // 2 s for the connections to close, 2 s for the loops to stop, the rest slack for a slow machine
            assertTrue(stopMs < 8000, transport + ": the stop took " + stopMs + " ms");
        }
        LeakCheckExtension.assertNoLeaks();
    }

    /** AUTH, then batches of pipelined requests, each batch's replies read before the next; until closed. */
    private static void stream(Socket s, AtomicLong batches) {
        try {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("*2\r\n$4\r\nAUTH\r\n$" + ProxyUnderTest.PASSWORD.length() + "\r\n" + ProxyUnderTest.PASSWORD
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            skipLines(in, 1);
            while (true) {
                out.write(BATCH);
                skipLines(in, BATCH_REPLY_LINES);
                batches.incrementAndGet();
            }
        } catch (IOException e) {
            // the proxy stopped, or the test closed the socket
        }
    }

    private static void skipLines(InputStream in, int lines) throws IOException {
        int seen = 0;
        while (seen < lines) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            if (b == '\n') {
                seen++;
            }
        }
    }

    private static byte[] batch() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            b.append("*3\r\n$3\r\nSET\r\n$3\r\nk:").append(i % 10).append("\r\n$16\r\n0123456789abcdef\r\n");
            b.append("*2\r\n$3\r\nGET\r\n$3\r\nk:").append(i % 10).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "shutdown-load-client");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
