package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.resp.RespValues;
import java.util.ArrayDeque;

/**
 * Write acknowledgement on one master connection ({@link WriteAck}): notes the writes sent that must reach
 * replicas, appends one WAIT after them at a flush, and holds their replies until it answers; then passes them
 * on, or turns each into an error when too few replicas acknowledged or the connection closed first. Only one
 * WAIT at a time (group commit): Redis runs nothing else on a connection blocked in WAIT, so a second WAIT
 * would only queue behind the first; writes sent meanwhile wait for the next, sent when this one answers, and
 * each round trip to the replicas covers them all. Event loop only.
 */
final class ReplicaAcks {
    private final WriteAck writeAck;
    private final InflightQueue requests;
    private final RequestWriter writer;
    private final ReadClock clock;
    private final Barrier barrier = new Barrier();
    private boolean writesToAck;  // a write awaiting replica acknowledgement went out since the last WAIT
    private boolean waitInFlight; // a WAIT of ours is unanswered: the next one waits for it (group commit)
    // replies of writes that ran, waiting for the WAIT after them: callback, then its reply frame
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    ReplicaAcks(WriteAck writeAck, InflightQueue requests, RequestWriter writer, ReadClock clock) {
        this.writeAck = writeAck;
        this.requests = requests;
        this.writer = writer;
        this.clock = clock;
    }

    /** A request went out with {@code cb}: if it awaits replicas, the next flush appends a WAIT. */
    void sent(ReplyCallback cb) {
        writesToAck |= cb.awaitsReplicaAck();
    }

    /** Before a flush of a ready connection: one WAIT for every write since the last one, unless one runs. */
    void beforeFlush() {
        if (writesToAck && !waitInFlight) {
            writesToAck = false;
            waitInFlight = true;
            writer.write(writeAck.waitFrame()); // in order after the writes it covers
            requests.add(barrier);
        }
    }

    /**
     * A write that awaits replicas ran: its reply waits for the WAIT queued after it (still counted in flight).
     * Ownership of {@code reply} passes here.
     */
    void hold(ReplyCallback cb, ByteBuf reply) {
        held.add(cb);
        held.add(reply);
    }

    /** Whether no write's reply is held. */
    boolean isEmpty() {
        return held.isEmpty();
    }

    /**
     * The reply to a WAIT: every write reply held since the previous WAIT was sent before this one, so the
     * count covers all of them. Enough replicas: the replies go on as they came; too few (the timeout passed):
     * each becomes an error that says the write ran but may be lost.
     */
    private void acknowledged(ByteBuf frame) {
        waitInFlight = false;
        if (writesToAck) {
            writer.scheduleFlush(); // the writes sent while this WAIT ran get theirs
        }
        long replicas;
        try {
            Object v = RespValues.read(frame.duplicate());
            replicas = v instanceof Long n ? n : -1; // an error (a demoted master refuses WAIT): not acknowledged
        } finally {
            frame.release();
        }
        Object item;
        while ((item = held.poll()) != null) {
            ReplyCallback cb = (ReplyCallback) item;
            ByteBuf reply = (ByteBuf) held.poll();
            requests.ended();
            if (replicas >= writeAck.replicas()) {
                cb.onReply(reply, false, clock);
            } else {
                reply.release();
                cb.onReply(writeAck.notAcknowledged(writer.alloc(), Math.max(0, replicas)), true);
            }
        }
    }

    /** The connection closed: every held write hears that it ran but was not acknowledged. */
    void failHeld(String reason) {
        Object item;
        while ((item = held.poll()) != null) {
            ((ByteBuf) held.poll()).release();
            requests.ended();
            // it did run (its reply came): say so, rather than "may or may not have run"
            ((ReplyCallback) item).onReply(writeAck.lostBeforeAck(ByteBufAllocator.DEFAULT, reason), true);
        }
    }

    /** The callback of every WAIT this connection appends; replies to it release the held write replies. */
    final class Barrier implements ReplyCallback {
        @Override
        public void onReply(ByteBuf frame) {
            acknowledged(frame);
        }

        @Override
        public void onFailure(String reason, boolean maybeApplied) {
            // the connection is closing: failHeld answers the held writes
        }
    }
}
