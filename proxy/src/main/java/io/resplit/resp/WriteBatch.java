package io.resplit.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * What one socket is sent between two flushes, as few channel messages as the order allows: frames up to
 * {@link #COPY_AT_MOST} bytes are copied into one buffer, larger ones are handed to the channel as they are,
 * after the buffer. Each message costs the channel an outbound entry (a recycled object, two atomic updates of
 * the pending-bytes count, a pass down the pipeline); sixteen pipelined replies, or requests from sixteen
 * clients to one backend, then cost one.
 *
 * <p>Used by the client's reply queue and by a backend connection. Not thread-safe: only on the channel's event
 * loop. The owner calls {@link #handOver} before it flushes, and {@link #release} if the channel goes away first.
 */
public final class WriteBatch {
    /** Frames up to this size are copied into the batch; copying them is cheaper than a message each. */
    public static final int COPY_AT_MOST = 512;
    /**
     * A batch never grows past this: it is handed to the channel first, so the channel's writability sees its
     * bytes and the buffer stays within this size.
     */
    public static final int LIMIT = 64 * 1024;
    private static final int INITIAL = 1024;

    private ByteBuf batch; // frames written since the last hand-over, not yet given to the channel

    /**
     * Writes {@code frame} to {@code channel} after everything written through this batch before it. Ownership
     * of {@code frame} passes here: it is released once copied, or handed to the channel, which then owns it.
     */
    public void write(Channel channel, ByteBuf frame) {
        int n = frame.readableBytes();
        if (n > COPY_AT_MOST) {
            handOver(channel); // what came before goes first
            channel.write(frame, channel.voidPromise()); // the channel now owns the frame
            return;
        }
        // copied by the source's getBytes into the batch at an index, not batch.writeBytes(frame): the adaptive
        // allocator's setBytes from a slice makes a java.nio view of it per call (a DirectByteBuffer per frame),
        // while the slice's getBytes copies memory to memory when the batch has an address
        int at = reserve(channel, n);
        frame.getBytes(frame.readerIndex(), batch, at, n);
        batch.writerIndex(at + n);
        frame.release(); // copied: the caller's reference to the frame ends here
    }

    /**
     * Writes the {@code n} bytes at {@code index} of {@code source} to {@code channel} after everything written
     * through this batch before them, without taking the caller's reference: a few bytes are copied, more are
     * handed to the channel as a retained slice. For bytes the caller keeps (a request that may be sent again, a
     * reply read in place): no reference count moves for the usual small request.
     */
    public void copy(Channel channel, ByteBuf source, int index, int n) {
        if (n > COPY_AT_MOST) {
            write(channel, source.retainedSlice(index, n));
            return;
        }
        int at = reserve(channel, n);
        source.getBytes(index, batch, at, n);
        batch.writerIndex(at + n);
    }

    /**
     * The {@code n} bytes at {@code index} of {@code source} as a buffer of their own, for a caller that keeps
     * them past the source's life (a reply held behind an earlier one): a few bytes are copied into a buffer of
     * the source's allocator (the adaptive one recycles its buffer objects: no object per call, where a slice is
     * one) and no reference count of {@code source} moves, nor is its whole buffer kept alive; more are a
     * retained slice.
     */
    public static ByteBuf keep(ByteBuf source, int index, int n) {
        if (n > COPY_AT_MOST) {
            return source.retainedSlice(index, n);
        }
        ByteBuf copy = source.alloc().ioBuffer(n);
        source.getBytes(index, copy, 0, n); // memory to memory (see write)
        return copy.writerIndex(n);
    }

    /** Room for {@code n} more bytes in the batch (a new one, or a fresh one past the limit); its writer index. */
    private int reserve(Channel channel, int n) {
        if (batch != null && batch.readableBytes() + n > LIMIT) {
            handOver(channel);
        }
        if (batch == null) {
            batch = channel.alloc().ioBuffer(Math.max(INITIAL, n));
        }
        batch.ensureWritable(n);
        return batch.writerIndex();
    }

    /** Gives the batch, if any, to the channel as one message (sent at the channel's next flush). */
    public void handOver(Channel channel) {
        if (batch != null) {
            ByteBuf b = batch;
            batch = null;
            channel.write(b, channel.voidPromise()); // the channel now owns the batch
        }
    }

    /** Bytes copied into the batch and not yet handed over. */
    public int pendingBytes() {
        return batch == null ? 0 : batch.readableBytes();
    }

    /** Drops what was not handed over (the channel is gone, or going). */
    public void release() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }
}
