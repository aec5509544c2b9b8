package io.resplit.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.resp.Ascii;
import io.resplit.resp.RespFrames;
import io.resplit.resp.RespReplyDecoder;
import io.resplit.resp.RespWriter;
import io.resplit.topology.Topology;
import java.util.List;

/**
 * SCAN over a cluster: the shards are walked one after the other, in an order failovers and resharding do not
 * change (by their lowest node address), and the cursor a client gets carries both the shard's index (its low {@value #SHARD_BITS} bits) and that
 * shard's own cursor (the bits above). A shard's cursor returning to 0 moves on to the next shard; after the
 * last, the client gets 0. As with one Redis, every key present for the whole iteration is returned, except
 * that keys whose slot moves to another shard during it may show twice or not at all, and a shard added or
 * removed during it shifts the shards after it.
 */
public final class ScanCursor {
    static final int SHARD_BITS = 10;
    private static final long SHARD_MASK = (1L << SHARD_BITS) - 1;

    /** Where a client's cursor points: a shard's index and that shard's own cursor. */
    public record Position(int shard, long nodeCursor) {
    }

    private ScanCursor() {
    }

    /** The shards in scan order (see {@link ClusterView#scanOrder}). */
    public static List<Topology> order(ClusterView view) {
        return view.scanOrder();
    }

    /** The client's cursor read, or null when it is not an unsigned 64-bit number (Redis: "invalid cursor"). */
    public static Position decode(String cursor, int shards) {
        long c;
        try {
            c = Long.parseUnsignedLong(cursor);
        } catch (NumberFormatException e) {
            return null;
        }
        return new Position((int) (c & SHARD_MASK), c >>> SHARD_BITS);
    }

    /** The cursor for the client after shard {@code shard} answered {@code nodeCursor}; 0 when all are done. */
    static long next(int shard, long nodeCursor, int shards) {
        if (nodeCursor == 0) {
            return shard + 1 < shards ? shard + 1 : 0;
        }
        if (nodeCursor >>> (64 - SHARD_BITS) != 0) {
            throw new IllegalArgumentException("a node's cursor is too large to carry the shard index");
        }
        return nodeCursor << SHARD_BITS | shard;
    }

    /** A shard's SCAN reply with the cursor replaced by the client's next one; an error reply passes as it is. */
    public static ByteBuf reply(ByteBufAllocator alloc, ByteBuf frame, int shard, int shards) {
        if (RespReplyDecoder.isError(frame)) {
            return frame.retainedDuplicate();
        }
        int at = frame.readerIndex();
        int cursorAt = at + RespFrames.lineLength(frame, at); // past "*2\r\n"
        int header = RespFrames.lineLength(frame, cursorAt);  // "$n\r\n"
        int cursorLen = RespFrames.length(frame, cursorAt);
        Long nodeCursor = Ascii.parseLong(frame, cursorAt + header, cursorLen - header - 2);
        if (nodeCursor == null) {
            throw new IllegalArgumentException("a node's SCAN cursor is not a number");
        }
        int keysAt = cursorAt + cursorLen;
        ByteBuf out = alloc.buffer(frame.writerIndex() - keysAt + 32);
        RespWriter.writeArrayHeader(out, 2);
        RespWriter.writeBulk(out, Long.toUnsignedString(next(shard, nodeCursor, shards)));
        out.writeBytes(frame, keysAt, frame.writerIndex() - keysAt);
        return out;
    }

    /** The reply to a cursor past the last shard: done, nothing more. */
    public static ByteBuf finished(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(16);
        RespWriter.writeArrayHeader(out, 2);
        RespWriter.writeBulk(out, "0");
        RespWriter.writeArrayHeader(out, 0);
        return out;
    }
}
