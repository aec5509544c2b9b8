package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;

/**
 * Durable acknowledgement ({@code write-ack-replicas}, {@code write-ack-timeout}): a write's reply goes to the
 * client only once {@code replicas} replicas have it. A master connection that flushed such writes appends one
 * {@code WAIT replicas timeout} after them, one at a time (group commit: the writes sent while a WAIT runs
 * share the next one); Redis answers WAIT once the replicas acknowledged every write this connection sent
 * before it.
 */
public final class WriteAck {
    private final int replicas;
    private final int timeoutMs;
    private final byte[] wait; // the WAIT request's bytes, wrapped anew for each send

    public WriteAck(int replicas, int timeoutMs) {
        this.replicas = replicas;
        this.timeoutMs = timeoutMs;
        RespRequest req = RespRequest.of(UnpooledByteBufAllocator.DEFAULT, "WAIT", Integer.toString(replicas),
                Integer.toString(timeoutMs));
        try {
            this.wait = new byte[req.frame().readableBytes()];
            req.frame().getBytes(req.frame().readerIndex(), wait);
        } finally {
            req.release();
        }
    }

    public int replicas() {
        return replicas;
    }

    /** The WAIT request, for one send (the connection's write releases it). */
    ByteBuf waitFrame() {
        return Unpooled.wrappedBuffer(wait);
    }

    /** What a client gets instead of its write's reply when the connection dropped before the WAIT answered. */
    ByteBuf lostBeforeAck(ByteBufAllocator alloc, String reason) {
        return RespWriter.error(alloc, "ERR resplit: the write ran on the master but the connection was lost before "
                + replicas + " replicas acknowledged it (" + reason + "); it may be lost if the master fails");
    }

    /** What a client gets instead of its write's reply when too few replicas acknowledged it in time. */
    ByteBuf notAcknowledged(ByteBufAllocator alloc, long acknowledged) {
        return RespWriter.error(alloc, "ERR resplit: the write ran on the master but only " + acknowledged + " of "
                + replicas + " replicas acknowledged it within " + timeoutMs + " ms (write-ack-timeout); it may be "
                + "lost if the master fails now");
    }
}
