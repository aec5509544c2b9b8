package io.resplit.backend;

import java.util.function.LongSupplier;

/**
 * When the reply being handled arrived, for callees that time their requests ({@link
 * ReplyCallback#onReply(io.netty.buffer.ByteBuf, boolean, LongSupplier)}): one clock read per read from the
 * backend socket, shared by every reply that read carried, and made only if a callee asks. Outside a read (a
 * reply held for write acknowledgement and passed on later) each ask reads the clock. Event loop only.
 */
final class ReadClock implements LongSupplier {
    private boolean reading;  // between a read's first reply and channelReadComplete: readNanos belongs to it
    private long readNanos;   // when the replies of the current read arrived; 0 until asked for

    /** A reply of the current socket read is being handled. */
    void reading() {
        reading = true;
    }

    /** The socket read is over: the next reply belongs to another. */
    void readComplete() {
        reading = false;
        readNanos = 0;
    }

    @Override
    public long getAsLong() {
        if (!reading) {
            return System.nanoTime();
        }
        if (readNanos == 0) {
            readNanos = System.nanoTime();
        }
        return readNanos;
    }
}
