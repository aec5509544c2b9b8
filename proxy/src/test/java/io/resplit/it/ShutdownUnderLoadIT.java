package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.resplit.testing.LeakCheckExtension;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

/**
 * A proxy stopped while its clients have pipelined requests in flight, to the master and to a replica, closes
 * every connection, releases every buffer those requests held (the leak detector runs at "paranoid" here) and
 * stops within its bounds, over each native transport. Before the stop closed the connections itself, both
 * transports leaked such buffers: the loops' own shutdown dropped what a loop stopped first still held.
 */
class ShutdownUnderLoadIT {
    private static final int CLIENTS = 6;
    private static final int ROUNDS = 3;
    /** 32 SETs and 32 GETs a batch, sent before any reply is read: a client that writes reads from the master. */
    private static final byte[] WRITES_AND_READS = batch(true);
    /** 64 GETs a batch: a client that never writes reads from the replica. */
    private static final byte[] READS = batch(false);

    private static RedisTopology topology;

    @BeforeAll
    static void start() {
        topology = RedisTopology.start(1, "node-secret");
        try (Jedis master = topology.jedis(topology.master())) {
            for (int i = 0; i < 10; i++) { // every GET finds a 16-byte value: two reply lines each
                master.set("k:" + i, "0123456789abcdef");
                master.set("r:" + i, "0123456789abcdef");
            }
        }
        topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
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
        Assumptions.assumeTrue(transport.equals("epoll") ? Epoll.isAvailable() : IoUring.isAvailable(),
                "no " + transport + " here");
        for (int round = 0; round < ROUNDS; round++) {
            ProxyUnderTest proxy = ProxyUnderTest.start(topology, "io-transport " + transport);
            List<Socket> sockets = new ArrayList<>();
            try {
                AtomicLong batches = new AtomicLong();
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    Socket s = new Socket("127.0.0.1", proxy.port());
                    sockets.add(s);
                    byte[] batch = c % 2 == 0 ? WRITES_AND_READS : READS;
                    clients.add(daemon(() -> stream(s, batch, batches)));
                }
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (batches.get() < 100 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(1_000_000);
                }
                assertTrue(batches.get() >= 100, "the clients got replies through the proxy: " + batches.get());
                long t0 = System.nanoTime();
                proxy.close(); // the clients are still sending
                long stopMs = (System.nanoTime() - t0) / 1_000_000;
                // 2 s for the connections to close, 2 s for the loops to stop, the rest slack for a slow machine
                assertTrue(stopMs < 8000, transport + ": the stop took " + stopMs + " ms");
                for (Thread t : clients) {
                    t.join(5000);
                    assertFalse(t.isAlive(), "every client saw the proxy close its connection");
                }
            } finally {
                proxy.close();
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
        LeakCheckExtension.assertNoLeaks();
    }

    /** AUTH, then batches of pipelined requests, each batch's replies read before the next; until closed. */
    private static void stream(Socket s, byte[] batch, AtomicLong batches) {
        try {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("*2\r\n$4\r\nAUTH\r\n$" + ProxyUnderTest.PASSWORD.length() + "\r\n" + ProxyUnderTest.PASSWORD
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            skipLines(in, 1);
            int replyLines = batch == READS ? 2 * 64 : 32 + 2 * 32; // "+OK" a SET; length line and value a GET
            while (true) {
                out.write(batch);
                skipLines(in, replyLines);
                batches.incrementAndGet();
            }
        } catch (IOException e) {
            // the proxy closed the connection
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

    private static byte[] batch(boolean writes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            if (writes) {
                b.append("*3\r\n$3\r\nSET\r\n$3\r\nk:").append(i % 10).append("\r\n$16\r\n0123456789abcdef\r\n");
            } else {
                b.append("*2\r\n$3\r\nGET\r\n$3\r\nr:").append(i % 10).append("\r\n");
            }
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
