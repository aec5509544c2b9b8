package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;

/**
 * A {@link RequestWriter} on an {@link EmbeddedChannel}, for tests of a connection's parts: its flush task runs
 * {@link #beforeFlush} first, as a connection's does, and {@link #written} tells what reached the socket.
 */
final class EmbeddedWriter {
    final EmbeddedChannel channel = new EmbeddedChannel();
    final RequestWriter writer = new RequestWriter(channel.eventLoop(), this::flush);
    Runnable beforeFlush = () -> { };

    EmbeddedWriter() {
        writer.attach(channel);
    }

    private void flush() {
        beforeFlush.run();
        writer.flush();
    }

    static ByteBuf frame(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** Runs the flush scheduled this turn, if any; what reached the socket since the last call, as text. */
    String written() {
        return written(channel);
    }

    /** As {@link #written()}, for any embedded channel. */
    static String written(EmbeddedChannel channel) {
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf m;
        while ((m = channel.readOutbound()) != null) {
            out.append(m.toString(StandardCharsets.US_ASCII));
            m.release();
        }
        return out.toString();
    }

    /** Releases what was not written and whatever the channel still holds. */
    void close() {
        writer.close();
        channel.finishAndReleaseAll();
    }
}
