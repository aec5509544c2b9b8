package io.resplit.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a backend's reply stream into whole replies, each emitted as a retained slice of the bytes the backend
 * sent (RESP2 and RESP3 types, nested to any depth, RESP3 attributes kept with the reply they annotate). Nothing
 * is decoded into objects: the proxy only needs to know where one reply ends.
 *
 * <p>The scan is incremental: an aggregate that arrives in pieces is not re-scanned from its start.
 */
public final class RespReplyDecoder extends ByteToMessageDecoder {
    private int pos;                          // scanned bytes of the current reply, relative to readerIndex
    private long[] remaining = new long[8];   // per open aggregate: elements still to come
    private int depth;
    private byte replyType;                   // the type byte of the reply being scanned (its first byte)
    private boolean lastReplyIsError;
    // bytes (from the reader index) the reply being scanned needs to finish its current bulk string, once its
    // length is known and it has not all arrived; 0 otherwise. Read by the cumulator below.
    private long wantBytes;
    private InPlace inPlace; // offered each whole reply before a slice is made of it; null: always a slice

    /**
     * Takes a whole reply where it lies in the decoder's input, instead of a retained slice of it: a reply that is
     * copied on at once (to a client's write batch) then costs no derived buffer and no reference count.
     *
     * <p>Only for a channel that keeps auto-read on: Netty's ByteToMessageDecoder asks for another read after one
     * that produced no message while auto-read is off (it takes that for a partial frame), so a connection that
     * pauses reading (a subscriber or MONITOR stream following its client) must take its replies as messages.
     */
    @FunctionalInterface
    public interface InPlace {
        /**
         * Offered each whole reply: {@code length} bytes at {@code index} of {@code in}, which the callee may read
         * during this call only. Returns true when it has taken the reply (it is then skipped), false to have it
         * emitted as a slice as usual.
         */
        boolean take(ByteBuf in, int index, int length, boolean error);
    }

    /** Slack above a large reply's known size: room for the start of the next reply in the same read. */
    private static final int SLACK = 64 * 1024;
    /** Bulk strings at least this large get a buffer sized for them rather than a power-of-two one. */
    private static final long SIZED_AT = 256 * 1024;

    public RespReplyDecoder() {
        // A reply is emitted as a slice of the buffer it was gathered in, and that buffer lives as long as the
        // reply waits for its client. Grown by powers of two, a 1 MiB value sits in a 2 MiB buffer: a slow
        // reader then holds twice its replies. Once a large bulk string's length is known, grow the buffer
        // once, to that length (plus a little for what follows), so a reply is held about once.
        setCumulator((alloc, cumulation, in) -> {
            long want = wantBytes;
            long have = (long) cumulation.readableBytes() + in.readableBytes();
            // once per reply: when the buffer cannot take this read and is smaller than the reply
            if (want >= SIZED_AT && have < want && cumulation.writableBytes() < in.readableBytes()
                    && cumulation.capacity() < want && want + SLACK <= Integer.MAX_VALUE) {
                ByteBuf grown;
                try {
                    grown = alloc.ioBuffer((int) (want + SLACK));
                } catch (RuntimeException | Error e) {
                    in.release(); // as MERGE_CUMULATOR does when it cannot grow
                    throw e;
                }
                grown.writeBytes(cumulation);
                grown.writeBytes(in);
                cumulation.release();
                in.release();
                return grown;
            }
            return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
        });
    }

    /** Offers every whole reply to {@code taker} first (see {@link InPlace}). */
    public void inPlace(InPlace taker) {
        this.inPlace = taker;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int base = in.readerIndex();
        while (true) {
            int start = base + pos;
            if (start >= in.writerIndex()) {
                return;
            }
            int cr = in.indexOf(start, in.writerIndex(), (byte) '\r');
            if (cr < 0 || cr + 1 >= in.writerIndex()) {
                return;
            }
            int next = cr + 2;
            byte type = in.getByte(start);
            if (pos == 0) {
                replyType = type; // the first element of a reply says what the reply is
            }
            switch (type) {
                case '$', '!', '=' -> {
                    long len = parseLength(in, start, cr);
                    if (len >= 0) {
                        if ((long) in.writerIndex() - next < len + 2) {
                            // a reply that is one large bulk string: its whole size is known now. Inside an
                            // aggregate the rest of the reply is not, and growing for each element would copy
                            // the reply again and again
                            wantBytes = depth == 0 ? (long) next - base + len + 2 : 0;
                            return;
                        }
                        wantBytes = 0;
                        next += (int) len + 2;
                    }
                }
                case '*', '~', '>' -> {
                    if (open(parseLength(in, start, cr), in, base, next)) {
                        continue;
                    }
                }
                case '%' -> {
                    if (open(parseLength(in, start, cr) * 2, in, base, next)) {
                        continue;
                    }
                }
                case '|' -> {
                    // an attribute: its key/value pairs, then the reply it annotates, form one unit
                    if (open(parseLength(in, start, cr) * 2 + 1, in, base, next)) {
                        continue;
                    }
                }
                case '+', '-', ':', '_', ',', '#', '(' -> {
                    // a one-line element
                }
                default -> throw new IllegalStateException("backend sent an unknown RESP type byte " + type);
            }
            pos = next - base;
            if (closeElement()) {
                lastReplyIsError = isErrorType(replyType);
                int length = pos;
                pos = 0;
                if (inPlace != null && inPlace.take(in, in.readerIndex(), length, lastReplyIsError)) {
                    in.skipBytes(length);
                } else {
                    out.add(in.readRetainedSlice(length)); // ownership of the slice passes to the reply's consumer
                }
                return;
            }
        }
    }

    /**
     * Whether the reply last emitted is an error (a simple or a blob error), known from the scan, so that its
     * consumer need not read the slice's first byte again. Valid while that reply is being handled:
     * {@code decode} emits at most one reply per call, and ByteToMessageDecoder passes it on before it calls
     * {@code decode} again.
     */
    public boolean lastReplyIsError() {
        return lastReplyIsError;
    }

    /** Whether {@code reply} (a whole reply) is an error reply; for replies that did not come through a scan. */
    public static boolean isError(ByteBuf reply) {
        return reply.isReadable() && isErrorType(reply.getByte(reply.readerIndex()));
    }

    /** A simple error or a blob error (RESP3). */
    private static boolean isErrorType(byte type) {
        return type == '-' || type == '!';
    }

    /** Opens an aggregate of {@code count} elements; returns true when it has elements to scan. */
    private boolean open(long count, ByteBuf in, int base, int next) {
        if (count <= 0) {
            return false; // empty or null aggregate: complete as it stands
        }
        if (depth == remaining.length) {
            remaining = Arrays.copyOf(remaining, depth * 2);
        }
        remaining[depth++] = count;
        pos = next - base;
        return true;
    }

    /** Counts one finished element against its parents; true when a whole top-level reply is complete. */
    private boolean closeElement() {
        while (depth > 0) {
            if (--remaining[depth - 1] > 0) {
                return false;
            }
            depth--;
        }
        return true;
    }

    private static long parseLength(ByteBuf in, int start, int cr) {
        long n = Ascii.parseLongOr(in, start + 1, cr - start - 1, Long.MIN_VALUE);
        if (n == Long.MIN_VALUE) {
            throw new IllegalStateException("backend sent a malformed RESP length");
        }
        return n;
    }
}
