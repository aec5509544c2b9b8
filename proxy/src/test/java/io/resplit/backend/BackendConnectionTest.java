package io.resplit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.resplit.resp.RespReplyDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A whole {@link BackendConnection} on an {@link EmbeddedChannel}, wired as {@link BackendConnector} wires it:
 * the handshake first, requests that came meanwhile after it in order, replies to the callbacks in order, and
 * what closing does to the requests and to the node.
 */
class BackendConnectionTest {
    private static final String HELLO = "*4\r\n$5\r\nHELLO\r\n$1\r\n2\r\n$7\r\nSETNAME\r\n$7\r\nresplit\r\n";

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final BackendNode node = TestNodes.master(6379, 0);
    private final BackendConnection conn = new BackendConnection(node, channel.eventLoop(), 2, 0, true, null);

    BackendConnectionTest() {
        RespReplyDecoder replies = new RespReplyDecoder();
        channel.pipeline().addLast(replies, conn.handler(replies));
    }

    @AfterEach
    void close() {
        conn.discard("test over");
        channel.finishAndReleaseAll();
    }

    private void connect() {
        conn.connected(channel, new Handshake(new BackendCredentials(null, null), "resplit", false), 60_000);
    }

    /** Connects and answers HELLO (with the connection's id on the server, 7). */
    private void ready() {
        connect();
        assertEquals(HELLO, written());
        answer("*2\r\n$2\r\nid\r\n:7\r\n");
    }

    private RecordingCallback send(String request) {
        RecordingCallback cb = new RecordingCallback();
        conn.send(EmbeddedWriter.frame(request), cb);
        return cb;
    }

    private void answer(String replies) {
        channel.writeInbound(EmbeddedWriter.frame(replies));
    }

    private String written() {
        return EmbeddedWriter.written(channel);
    }

    @Test
    void requestsWaitForTheHandshakeThenGoInOrder() {
        RecordingCallback a = send("GET a\r\n");
        RecordingCallback b = send("GET b\r\n");
        assertEquals(2, node.inflight(), "counted from the send, while they wait");
        assertEquals("", written(), "nothing is written before the connection is up");
        connect();
        assertEquals(HELLO, written(), "the handshake goes first");
        assertEquals(0, conn.serverId());
        answer("*2\r\n$2\r\nid\r\n:7\r\n");
        assertEquals(7, conn.serverId(), "HELLO's id");
        assertEquals("GET a\r\nGET b\r\n", written(), "then the waiting requests, in one write");
        assertFalse(conn.idle());
        answer("$1\r\n1\r\n$-1\r\n");
        assertEquals(List.of("reply $1\r\n1"), a.outcomes);
        assertEquals(List.of("reply $-1"), b.outcomes);
        assertEquals(0, node.inflight());
        assertTrue(conn.idle());
        assertTrue(conn.reusable());
    }

    @Test
    void requestsOfOneTurnShareOneWrite() {
        ready();
        List<RecordingCallback> callbacks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            callbacks.add(send("GET k" + i + "\r\n"));
        }
        channel.runPendingTasks();
        int messages = 0;
        for (Object m; (m = channel.readOutbound()) != null; messages++) {
            ((ByteBuf) m).release();
        }
        assertEquals(1, messages);
        answer(":1\r\n".repeat(16));
        callbacks.forEach(cb -> assertEquals(List.of("reply :1"), cb.outcomes));
    }

    @Test
    void anErrorReplyIsToldAsOne() {
        ready();
        RecordingCallback cb = send("INCR s\r\n");
        written();
        answer("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        assertEquals(List.of("error -WRONGTYPE Operation against a key holding the wrong kind of value"),
                cb.outcomes);
        assertEquals(0, node.inflight());
    }

    @Test
    void closingFailsEveryRequestAndTakesTheNodeOutOfService() {
        ready();
        RecordingCallback written = send("SET a 1\r\n");
        written();
        RecordingCallback unflushed = send("SET b 2\r\n"); // in the batch, not yet handed to the channel
        conn.close("boom");
        assertEquals(List.of("failed boom (maybe applied)"), written.outcomes);
        assertEquals(List.of("failed boom (maybe applied)"), unflushed.outcomes);
        assertEquals(0, node.inflight());
        assertTrue(conn.isClosed());
        assertFalse(conn.reusable());
        assertFalse(node.isUp());
        assertEquals(1, node.downEvents());
        RecordingCallback after = send("GET a\r\n");
        assertEquals(List.of("failed boom"), after.outcomes, "a request after the close never ran");
        assertEquals(0, node.inflight());
    }

    @Test
    void discardingLeavesTheNodeAlone() {
        RecordingCallback waiting = send("GET a\r\n");
        conn.discard("released by its client");
        assertEquals(List.of("failed released by its client"), waiting.outcomes);
        assertTrue(node.isUp());
        assertEquals(0, node.downEvents());
    }

    @Test
    void aReplyNobodyAskedForClosesTheConnection() {
        ready();
        answer("+OK\r\n");
        assertTrue(conn.isClosed());
        assertFalse(node.isUp());
    }

    @Test
    void aStreamingConnectionHandsEveryFrameAfterTheHandshakeToItsListener() {
        List<String> frames = new ArrayList<>();
        List<String> closed = new ArrayList<>();
        conn.stream(new FrameListener() {
            @Override
            public void onFrame(ByteBuf frame) {
                frames.add(frame.toString(StandardCharsets.US_ASCII).trim());
                frame.release();
            }

            @Override
            public void onClosed(String reason) {
                closed.add(reason);
            }
        });
        conn.sendStreamed(EmbeddedWriter.frame("SUBSCRIBE c\r\n"));
        assertEquals(0, node.inflight(), "a subscriber's requests are not counted");
        ready();
        assertEquals(List.of(), frames, "HELLO's reply went to the handshake");
        assertEquals("SUBSCRIBE c\r\n", written());
        answer("*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n");
        assertEquals(2, frames.size());
        assertTrue(frames.get(1).contains("hi"), frames.get(1));
        conn.discard("unsubscribed");
        assertEquals(List.of("unsubscribed"), closed);
    }
}
