package io.resplit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.resplit.config.HostPort;
import io.resplit.net.Transport;
import io.resplit.resp.RespRequest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A backend that accepts TCP connections and never answers (a plain listener on loopback that never reads: the
 * kernel completes the TCP handshake, as for a stopped redis-server): a new connection's handshake fails after
 * the connect timeout, its requests as not sent, and the node goes down; a retired node opens no connection.
 */
class SilentNodeTest {
    /** A node at the silent listener's address whose connections give up on connecting after 300 ms. */
    private static BackendNode nodeAt(ServerSocket silent) {
        BackendConnector connector = new BackendConnector(Transport.named("nio"), new BackendCredentials(null, null),
                300);
        return new BackendNode(new HostPort("127.0.0.1", silent.getLocalPort()), connector, 1, 1, 1);
    }

    private static <T> T onLoop(EventLoop loop, Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHandshakeWithoutAnswerFailsItsRequestsAsNotSentAfterTheConnectTimeout() throws Exception {
        EventLoopGroup group = Transport.named("nio").newGroup(1, "silent-node-test");
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            EventLoop loop = group.next();
            BackendNode node = nodeAt(silent);
            RecordingCallback ping = new RecordingCallback();
            long start = System.nanoTime();
            onLoop(loop, () -> {
                node.connection(loop, 0, 2, 0, 0).send(RespRequest.of(ByteBufAllocator.DEFAULT, "PING").frame(), ping);
                return null;
            });
            List<String> outcomes = waitFor(loop, ping);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(List.of("failed no answer from 127.0.0.1:" + silent.getLocalPort()
                    + " to the connection's handshake within 300 ms"), outcomes, "not sent: no 'maybe applied'");
            assertTrue(ms >= 250 && ms < 5000, ms + " ms");
            assertFalse(node.isUp());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRetiredNodeOpensNoConnection() throws Exception {
        EventLoopGroup group = Transport.named("nio").newGroup(1, "silent-node-test");
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            EventLoop loop = group.next();
            BackendNode node = nodeAt(silent);
            node.retire(0);
            assertTrue(node.isRetired());
            assertNull(onLoop(loop, () -> node.connection(loop, 0, 2, 0, 0)));
            assertNull(onLoop(loop, () -> node.dedicated(loop, 0, 2, 0)));
            assertEquals(0, node.connectionsOpened());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static List<String> waitFor(EventLoop loop, RecordingCallback cb) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<String> seen = onLoop(loop, () -> List.copyOf(cb.outcomes));
            if (!seen.isEmpty()) {
                return seen;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError("no outcome within 10 s");
    }
}
