package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.resplit.resp.RespRequest;
import io.resplit.resp.WriteBatch;

/**
 * The write side of one {@link BackendConnection}: everything written to the socket goes through one {@link
 * WriteBatch}, so small requests are copied into one buffer per flush (one GET from each of sixteen clients
 * costs the channel one outbound entry, not sixteen), and the channel is flushed once per event-loop turn, so
 * many requests share one syscall. The flush itself is the connection's task (it may append a WAIT first).
 * Event loop only.
 */
final class RequestWriter {
    private final EventLoop loop;
    private final Runnable flushTask;
    private final WriteBatch batch = new WriteBatch(); // what is written until the next flush
    private Channel channel;
    private boolean flushScheduled;

    /** @param flushTask run once per turn in which something was written; it ends with {@link #flush()} */
    RequestWriter(EventLoop loop, Runnable flushTask) {
        this.loop = loop;
        this.flushTask = flushTask;
    }

    /** The socket is connected: writes may start. */
    void attach(Channel ch) {
        channel = ch;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Writes {@code request} after everything before it; the batch (or the channel) owns it now. */
    void write(ByteBuf request) {
        batch.write(channel, request);
    }

    /** Writes the bytes of {@code request} after everything before it; the caller keeps its reference. */
    void copy(RespRequest request) {
        batch.copy(channel, request.bytes(), request.start(), request.length());
    }

    /** Makes sure the flush task runs once this event-loop turn is over. */
    void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    /** Hands what was written to the channel and flushes it. */
    void flush() {
        flushScheduled = false;
        if (channel != null) {
            batch.handOver(channel);
            channel.flush();
        }
    }

    /** Pauses or resumes reading from the server. */
    void autoRead(boolean read) {
        if (channel != null) {
            channel.config().setAutoRead(read);
        }
    }

    /** Drops what was not handed over (the requests in it fail with the connection) and closes the socket. */
    void close() {
        batch.release();
        if (channel != null) {
            channel.close();
        }
    }
}
