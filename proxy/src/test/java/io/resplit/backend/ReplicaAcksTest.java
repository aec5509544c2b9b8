package io.resplit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplicaAcks} on an {@link EmbeddedWriter}, wired as a connection wires it: one WAIT after the writes
 * of a flush, one WAIT at a time, write replies held until it answers, and what each write hears then.
 */
class ReplicaAcksTest {
    private static final String WAIT = "*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$3\r\n100\r\n";

    private final EmbeddedWriter wire = new EmbeddedWriter();
    private final RequestWriter writer = wire.writer;
    private final BackendNode node = TestNodes.node(6379);
    private final InflightQueue queue = new InflightQueue(node, true);
    private final ReplicaAcks acks = new ReplicaAcks(new WriteAck(1, 100), queue, writer, new ReadClock());

    ReplicaAcksTest() {
        wire.beforeFlush = acks::beforeFlush; // as BackendConnection's flush of a ready connection
    }

    @AfterEach
    void close() {
        wire.close();
    }

    /** Sends a request as a ready connection does. */
    private RecordingCallback send(String request, boolean awaitsAck) {
        RecordingCallback cb = new RecordingCallback(awaitsAck);
        queue.started();
        writer.write(EmbeddedWriter.frame(request));
        queue.add(cb);
        acks.sent(cb);
        writer.scheduleFlush();
        return cb;
    }

    /** Hands {@code reply} to the head of the FIFO as a connection does: a write that ran is held. */
    private void reply(String reply, boolean error) {
        ReplyCallback cb = queue.poll();
        if (!error && cb.awaitsReplicaAck()) {
            acks.hold(cb, EmbeddedWriter.frame(reply));
            return;
        }
        if (!InflightQueue.own(cb)) {
            queue.ended();
        }
        cb.onReply(EmbeddedWriter.frame(reply), error);
    }

    @Test
    void oneWaitFollowsTheWritesOfAFlushAndReleasesTheirReplies() {
        RecordingCallback set1 = send("SET a 1\r\n", true);
        RecordingCallback get = send("GET a\r\n", false);
        RecordingCallback set2 = send("SET b 2\r\n", true);
        assertEquals("SET a 1\r\nGET a\r\nSET b 2\r\n" + WAIT, wire.written());
        reply("+OK\r\n", false);
        reply("$1\r\n1\r\n", false);
        reply("+OK\r\n", false);
        assertEquals(List.of(), set1.outcomes, "held until the WAIT answers");
        assertEquals(List.of("reply $1\r\n1"), get.outcomes, "a read is not held");
        assertFalse(acks.isEmpty(), "the writes wait for the WAIT");
        assertEquals(2, node.inflight(), "held writes still count as in flight");
        reply(":1\r\n", false);
        assertEquals(List.of("reply +OK"), set1.outcomes);
        assertEquals(List.of("reply +OK"), set2.outcomes);
        assertTrue(acks.isEmpty());
        assertEquals(0, node.inflight());
        assertTrue(queue.isEmpty());
    }

    @Test
    void writesSentWhileAWaitRunsShareTheNextOne() {
        send("SET a 1\r\n", true);
        assertEquals("SET a 1\r\n" + WAIT, wire.written());
        RecordingCallback later = send("SET b 2\r\n", true);
        assertEquals("SET b 2\r\n", wire.written(), "no second WAIT behind the first");
        reply("+OK\r\n", false);
        reply(":1\r\n", false);
        assertEquals(WAIT, wire.written(), "the answer sends the WAIT the later write waits for");
        reply("+OK\r\n", false);
        assertEquals(List.of(), later.outcomes);
        reply(":1\r\n", false);
        assertEquals(List.of("reply +OK"), later.outcomes);
        assertEquals("", wire.written());
    }

    @Test
    void tooFewReplicasTurnTheReplyIntoAnError() {
        RecordingCallback set = send("SET a 1\r\n", true);
        wire.written();
        reply("+OK\r\n", false);
        reply(":0\r\n", false);
        assertEquals(1, set.outcomes.size());
        assertTrue(set.outcomes.get(0).startsWith("error -ERR resplit: the write ran on the master but only 0 of 1"),
                set.outcomes.get(0));
    }

    @Test
    void aRefusedWaitCountsAsNotAcknowledged() {
        RecordingCallback set = send("SET a 1\r\n", true);
        wire.written();
        reply("+OK\r\n", false);
        reply("-READONLY You can't write against a read only replica.\r\n", true);
        assertTrue(set.outcomes.get(0).contains("only 0 of 1"), set.outcomes.get(0));
        assertEquals(0, node.inflight());
    }

    @Test
    void aFailedWriteIsNotHeld() {
        RecordingCallback set = send("SET a 1\r\n", true);
        wire.written();
        reply("-OOM command not allowed\r\n", true);
        assertEquals(List.of("error -OOM command not allowed"), set.outcomes);
        assertTrue(acks.isEmpty());
    }

    @Test
    void heldWritesHearTheyRanWhenTheConnectionClosesFirst() {
        RecordingCallback set = send("SET a 1\r\n", true);
        wire.written();
        reply("+OK\r\n", false);
        queue.failAll("connection lost");
        acks.failHeld("connection lost");
        assertEquals(1, set.outcomes.size());
        assertTrue(set.outcomes.get(0).startsWith("error -ERR resplit: the write ran on the master but the "
                + "connection was lost before 1 replicas acknowledged it (connection lost)"), set.outcomes.get(0));
        assertEquals(0, node.inflight());
        assertNull(queue.poll());
    }
}
