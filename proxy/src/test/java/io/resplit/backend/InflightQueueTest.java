package io.resplit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InflightQueue}: callbacks in write order, requests held for the handshake written in order, the node's
 * in-flight count kept by shared connections only, and every request failed once when the connection closes.
 */
class InflightQueueTest {
    private final EmbeddedWriter wire = new EmbeddedWriter();
    private final RequestWriter writer = wire.writer;
    private final BackendNode node = TestNodes.node(6379);
    private final InflightQueue queue = new InflightQueue(node, true);

    @AfterEach
    void close() {
        wire.close();
    }

    @Test
    void heldRequestsAreWrittenInOrderAndTheirCallbacksGoInFlight() {
        RecordingCallback a = new RecordingCallback();
        RecordingCallback b = new RecordingCallback();
        queue.hold(EmbeddedWriter.frame("GET a\r\n"), a);
        queue.hold(EmbeddedWriter.frame("SUBSCRIBE c\r\n"), InflightQueue.STREAMED);
        queue.hold(EmbeddedWriter.frame("GET b\r\n"), b);
        assertTrue(queue.isEmpty(), "nothing is in flight before the handshake is done");
        queue.releaseWaiting(writer, null);
        writer.scheduleFlush();
        assertEquals("GET a\r\nSUBSCRIBE c\r\nGET b\r\n", wire.written());
        assertSame(a, queue.head());
        assertSame(a, queue.poll());
        assertSame(b, queue.poll(), "a streamed request's replies go to the stream, not to a callback");
        assertNull(queue.poll());
    }

    @Test
    void aSharedConnectionCountsItsRequestsTowardTheNode() {
        queue.started();
        queue.started();
        assertEquals(2, node.inflight());
        queue.ended();
        assertEquals(1, node.inflight());
        InflightQueue dedicated = new InflightQueue(node, false);
        dedicated.started();
        assertEquals(1, node.inflight(), "a dedicated connection (a blocked BLPOP) does not make the node busy");
    }

    @Test
    void closingFailsWrittenRequestsAsMaybeAppliedAndWaitingOnesAsNotRun() {
        RecordingCallback written = new RecordingCallback();
        RecordingCallback waiting = new RecordingCallback();
        queue.started();
        queue.add(written);
        queue.started();
        ByteBuf held = EmbeddedWriter.frame("GET w\r\n");
        queue.hold(held, waiting);
        queue.hold(EmbeddedWriter.frame("PSUBSCRIBE *\r\n"), InflightQueue.STREAMED);
        queue.failAll("gone");
        assertEquals(List.of("failed gone (maybe applied)"), written.outcomes);
        assertEquals(List.of("failed gone"), waiting.outcomes);
        assertEquals(0, held.refCnt(), "a request that never went out is released");
        assertEquals(0, node.inflight());
        assertTrue(queue.isEmpty());
    }

    @Test
    void theConnectionsOwnRequestsAreNotCounted() {
        ReplicaAcks acks = new ReplicaAcks(new WriteAck(1, 100), queue, writer, new ReadClock());
        RecordingCallback write = new RecordingCallback(true);
        queue.started();
        queue.add(write);
        acks.sent(write);
        acks.beforeFlush(); // appends a WAIT, whose callback is the connection's own
        assertFalse(InflightQueue.own(write));
        queue.failAll("gone");
        assertEquals(0, node.inflight(), "only the write was counted, and it ended once: the WAIT never was");
        assertEquals(List.of("failed gone (maybe applied)"), write.outcomes);
    }
}
