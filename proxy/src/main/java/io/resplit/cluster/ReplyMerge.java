package io.resplit.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.command.ShardPolicy;
import io.resplit.resp.Ascii;
import io.resplit.resp.RespFrames;
import io.resplit.resp.RespReplyDecoder;
import io.resplit.resp.RespWriter;

/**
 * Combines the replies of the requests a command was split into (one per slot or per node) into the one reply
 * the client would have had from a single Redis, following the command's response policy. An error in any part
 * is the reply (the first one, in part order), as a single Redis would have failed the command as a whole.
 * The parts stay the caller's to release; the result is a new buffer (or a retained part).
 */
public final class ReplyMerge {
    private ReplyMerge() {
    }

    /**
     * @param positions for a split command with the default policy (MGET): for each part, where each element of
     *                  its array reply goes in the client's reply; null otherwise
     * @param total     the client's reply's element count when {@code positions} is given
     */
    public static ByteBuf merge(ByteBufAllocator alloc, ShardPolicy.Response policy, ByteBuf[] parts,
                                int[][] positions, int total) {
        ByteBuf error = firstError(parts);
        if (error != null && policy != ShardPolicy.Response.ONE_SUCCEEDED) {
            return error.retainedDuplicate();
        }
        return switch (policy) {
            case AGG_SUM -> RespWriter.integer(alloc, aggregate(parts, 0));
            case AGG_MIN -> RespWriter.integer(alloc, aggregate(parts, -1));
            case AGG_MAX -> RespWriter.integer(alloc, aggregate(parts, 1));
            case ALL_SUCCEEDED -> parts[0].retainedDuplicate();
            case ONE_SUCCEEDED -> oneSucceeded(parts);
            case AGG_LOGICAL_AND -> logical(alloc, parts, true);
            case AGG_LOGICAL_OR -> logical(alloc, parts, false);
            default -> positions != null ? reorder(alloc, parts, positions, total)
                    : isArray(parts[0]) ? concat(alloc, parts) : anyNotNull(parts);
        };
    }

    private static boolean isArray(ByteBuf reply) {
        byte type = reply.getByte(reply.readerIndex());
        return type == '*' || type == '~';
    }

    /**
     * One value from every shard (RANDOMKEY): a shard chosen at random among those that had one, else the
     * null reply. Random per shard, not per key: a shard with few keys gives its keys more often, as cluster
     * clients that ask a random node do.
     */
    private static ByteBuf anyNotNull(ByteBuf[] parts) {
        int from = java.util.concurrent.ThreadLocalRandom.current().nextInt(parts.length);
        for (int k = 0; k < parts.length; k++) {
            ByteBuf p = parts[(from + k) % parts.length];
            byte type = p.getByte(p.readerIndex());
            boolean isNull = type == '_' || type == '$' && p.getByte(p.readerIndex() + 1) == '-';
            if (!isNull) {
                return p.retainedDuplicate();
            }
        }
        return parts[from].retainedDuplicate();
    }

    private static ByteBuf firstError(ByteBuf[] parts) {
        for (ByteBuf p : parts) {
            if (RespReplyDecoder.isError(p)) {
                return p;
            }
        }
        return null;
    }

    private static ByteBuf oneSucceeded(ByteBuf[] parts) {
        for (ByteBuf p : parts) {
            if (!RespReplyDecoder.isError(p)) {
                return p.retainedDuplicate();
            }
        }
        return parts[0].retainedDuplicate();
    }

    /** Sum ({@code sign} 0), least (-1) or greatest (1) of integer replies. */
    private static long aggregate(ByteBuf[] parts, int sign) {
        long out = 0;
        for (int i = 0; i < parts.length; i++) {
            long v = integer(parts[i], parts[i].readerIndex());
            if (sign == 0) {
                out += v;
            } else if (i == 0 || (sign < 0 ? v < out : v > out)) {
                out = v;
            }
        }
        return out;
    }

    /** The value of the integer reply at {@code at} ({@code :n\r\n}). */
    private static long integer(ByteBuf buf, int at) {
        if (buf.getByte(at) != ':') {
            throw new IllegalArgumentException("not an integer reply");
        }
        int len = RespFrames.lineLength(buf, at);
        Long v = Ascii.parseLong(buf, at + 1, len - 3);
        if (v == null) {
            throw new IllegalArgumentException("malformed integer reply");
        }
        return v;
    }

    /** Element count of the array (or set) reply at the reader index; a null array counts 0. */
    private static int count(ByteBuf buf) {
        int at = buf.readerIndex();
        byte type = buf.getByte(at);
        if (type != '*' && type != '~') {
            throw new IllegalArgumentException("not an array reply");
        }
        Long n = Ascii.parseLong(buf, at + 1, RespFrames.lineLength(buf, at) - 3);
        return n == null || n < 0 ? 0 : n.intValue();
    }

    /** Where the first element of the array reply starts. */
    private static int body(ByteBuf buf) {
        return buf.readerIndex() + RespFrames.lineLength(buf, buf.readerIndex());
    }

    /** Arrays one after another (KEYS over every shard), as one array of the first part's type. */
    private static ByteBuf concat(ByteBufAllocator alloc, ByteBuf[] parts) {
        int total = 0;
        int bytes = 0;
        for (ByteBuf p : parts) {
            total += count(p);
            bytes += p.writerIndex() - body(p);
        }
        ByteBuf out = alloc.buffer(bytes + 16);
        header(out, parts[0].getByte(parts[0].readerIndex()), total);
        for (ByteBuf p : parts) {
            int from = body(p);
            out.writeBytes(p, from, p.writerIndex() - from);
        }
        return out;
    }

    /** MGET: each part's elements put back where their keys were in the client's request. */
    private static ByteBuf reorder(ByteBufAllocator alloc, ByteBuf[] parts, int[][] positions, int total) {
        int[] partOf = new int[total];
        int[] offset = new int[total];
        int[] length = new int[total];
        int bytes = 0;
        for (int i = 0; i < parts.length; i++) {
            ByteBuf p = parts[i];
            if (count(p) != positions[i].length) {
                throw new IllegalArgumentException("a part's reply has " + count(p) + " elements, not "
                        + positions[i].length);
            }
            int at = body(p);
            for (int k = 0; k < positions[i].length; k++) {
                int len = RespFrames.length(p, at);
                int slot = positions[i][k];
                partOf[slot] = i;
                offset[slot] = at;
                length[slot] = len;
                bytes += len;
                at += len;
            }
        }
        ByteBuf out = alloc.buffer(bytes + 16);
        header(out, (byte) '*', total);
        for (int k = 0; k < total; k++) {
            out.writeBytes(parts[partOf[k]], offset[k], length[k]);
        }
        return out;
    }

    /** SCRIPT EXISTS over every shard: 1 where all (AND) or any (OR) of the nodes said 1. */
    private static ByteBuf logical(ByteBufAllocator alloc, ByteBuf[] parts, boolean and) {
        int n = count(parts[0]);
        boolean[] acc = new boolean[n];
        java.util.Arrays.fill(acc, and);
        for (ByteBuf p : parts) {
            if (count(p) != n) {
                throw new IllegalArgumentException("parts answered arrays of different lengths");
            }
            int at = body(p);
            for (int k = 0; k < n; k++) {
                boolean one = integer(p, at) != 0;
                acc[k] = and ? acc[k] && one : acc[k] || one;
                at += RespFrames.length(p, at);
            }
        }
        ByteBuf out = alloc.buffer(4 * n + 16);
        header(out, (byte) '*', n);
        for (boolean b : acc) {
            RespWriter.writeInteger(out, b ? 1 : 0);
        }
        return out;
    }

    private static void header(ByteBuf out, byte type, int count) {
        out.writeByte(type);
        out.writeCharSequence(Integer.toString(count), java.nio.charset.StandardCharsets.US_ASCII);
        out.writeByte('\r');
        out.writeByte('\n');
    }
}
