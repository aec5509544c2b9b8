package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A request's callback for tests: keeps each outcome as text and releases what it is given. */
final class RecordingCallback implements ReplyCallback {
    final List<String> outcomes = new ArrayList<>();
    private final boolean awaitsAck;

    RecordingCallback() {
        this(false);
    }

    RecordingCallback(boolean awaitsAck) {
        this.awaitsAck = awaitsAck;
    }

    @Override
    public void onReply(ByteBuf frame) {
        onReply(frame, false);
    }

    @Override
    public void onReply(ByteBuf frame, boolean error) {
        try {
            outcomes.add((error ? "error " : "reply ") + frame.toString(StandardCharsets.US_ASCII).trim());
        } finally {
            frame.release();
        }
    }

    @Override
    public boolean awaitsReplicaAck() {
        return awaitsAck;
    }

    @Override
    public void onFailure(String reason, boolean maybeApplied) {
        outcomes.add("failed " + reason + (maybeApplied ? " (maybe applied)" : ""));
    }
}
