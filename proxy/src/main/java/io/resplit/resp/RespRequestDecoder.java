package io.resplit.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.resplit.util.SdsSplitArgs;
import java.util.List;

/**
 * Frames client input into {@link RespRequest}s, following Redis's own parser (networking.c) rule for rule so that
 * the bytes forwarded to a backend mean there exactly what they meant here.
 *
 * <p>Parsing is incremental: a request that arrives in pieces is not re-scanned from its start. Limits are
 * checked before anything is sized from a client-chosen count, and nothing is: only where the first argument
 * lies is kept, the request finds the others in its frame. On a protocol error the {@link ProtocolException} is emitted in order after the requests
 * that preceded it, and all later input is discarded (the connection is closing).
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {
    private static final int NO_FRAME = -1;

    private final RespLimits limits;
    private boolean authenticated;
    private boolean failed;

    // state of the multibulk request being parsed; positions are relative to in.readerIndex()
    private int argc = NO_FRAME;
    private int argIndex;
    private int pos;
    private long bulkLen = -1;
    private int firstOffset; // where the first argument lies; the request finds the others from there
    private int firstLength;

    public RespRequestDecoder(RespLimits limits, boolean authenticated) {
        this.limits = limits;
        this.authenticated = authenticated;
    }

    /** Lifts the stricter pre-authentication limits once the client has authenticated. */
    public void setAuthenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            RespRequest request = argc == NO_FRAME && in.getByte(in.readerIndex()) != '*'
                    ? decodeInline(ctx, in)
                    : decodeMultibulk(in);
            if (request != null) {
                out.add(request);
            } else if (in.readableBytes() > limits.queryBufferLimit()) {
                throw new ProtocolException("Protocol error: client query buffer limit exceeded");
            }
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            out.add(e);
        }
    }

    private RespRequest decodeInline(ChannelHandlerContext ctx, ByteBuf in) {
        int start = in.readerIndex();
        int nl = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (nl < 0) {
            if (in.readableBytes() > RespLimits.INLINE_MAX) {
                throw new ProtocolException("Protocol error: too big inline request");
            }
            return null;
        }
        int end = nl > start && in.getByte(nl - 1) == '\r' ? nl - 1 : nl;
        byte[] line = new byte[end - start];
        in.getBytes(start, line);
        in.readerIndex(nl + 1);
        List<byte[]> args = SdsSplitArgs.split(line);
        if (args == null) {
            throw new ProtocolException("Protocol error: unbalanced quotes in request");
        }
        if (args.isEmpty()) {
            return null; // an empty line is ignored, as Redis does
        }
        // inline requests are rare (telnet, health probes), so re-encoding them as multibulk is fine
        return RespRequest.of(ctx.alloc(), args.toArray(new byte[0][]));
    }

    private RespRequest decodeMultibulk(ByteBuf in) {
        int base = in.readerIndex();
        if (argc == NO_FRAME) {
            int cr = findCr(in, base + 1, "Protocol error: too big mbulk count string");
            if (cr < 0) {
                return null;
            }
            long count = Ascii.parseLongOr(in, base + 1, cr - base - 1, Long.MIN_VALUE);
            if (count == Long.MIN_VALUE || count > Integer.MAX_VALUE) {
                throw new ProtocolException("Protocol error: invalid multibulk length");
            }
            if (!authenticated && count > RespLimits.UNAUTHENTICATED_MAX_ARGS) {
                throw new ProtocolException("Protocol error: unauthenticated multibulk length");
            }
            pos = cr + 2 - base;
            if (count <= 0) {
                in.readerIndex(base + pos); // "*0" and "*-1" are no requests at all
                return null;
            }
            argc = (int) count;
            argIndex = 0;
            bulkLen = -1;
        }
        while (argIndex < argc) {
            if (bulkLen < 0) {
                int headerStart = base + pos;
                if (headerStart >= in.writerIndex()) {
                    return null;
                }
                int cr = findCr(in, headerStart, "Protocol error: too big bulk count string");
                if (cr < 0) {
                    return null;
                }
                byte type = in.getByte(headerStart);
                if (type != '$') {
                    throw new ProtocolException("Protocol error: expected '$', got '" + (char) type + "'");
                }
                long len = Ascii.parseLongOr(in, headerStart + 1, cr - headerStart - 1, -1);
                if (len < 0 || len > limits.protoMaxBulkLen()) {
                    throw new ProtocolException("Protocol error: invalid bulk length");
                }
                if (!authenticated && len > RespLimits.UNAUTHENTICATED_MAX_BULK) {
                    throw new ProtocolException("Protocol error: unauthenticated bulk length");
                }
                bulkLen = len;
                pos = cr + 2 - base;
            }
            // the argument and its CRLF must be here; like Redis, the two bytes after the data are skipped unseen
            if ((long) in.writerIndex() - base - pos < bulkLen + 2) {
                return null;
            }
            if (argIndex == 0) {
                firstOffset = pos;
                firstLength = (int) bulkLen;
            }
            pos += (int) bulkLen + 2;
            bulkLen = -1;
            argIndex++;
        }
        // the request keeps the client's bytes where they are, holding a reference to the input buffer: while
        // it does, the cumulator never moves or compacts this buffer (it may append after the request's bytes)
        RespRequest request = new RespRequest(in.retain(), base, pos, argc, base + firstOffset, firstLength);
        in.skipBytes(pos);
        argc = NO_FRAME;
        pos = 0;
        return request;
    }

    /**
     * Index of the '\r' ending a header line that starts at {@code from}, once the byte after it has arrived
     * too; -1 while more input is needed. A header longer than Redis allows is refused.
     */
    private static int findCr(ByteBuf in, int from, String tooBig) {
        int cr = in.indexOf(from, in.writerIndex(), (byte) '\r');
        if (cr < 0 || cr + 1 >= in.writerIndex()) {
            if (in.writerIndex() - from > RespLimits.INLINE_MAX) {
                throw new ProtocolException(tooBig);
            }
            return -1;
        }
        return cr;
    }
}
