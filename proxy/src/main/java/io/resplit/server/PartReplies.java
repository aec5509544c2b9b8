package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.cluster.ReplyMerge;
import io.resplit.command.ShardPolicy;

/**
 * The replies to the parts of one client request that went to several cluster nodes (split by slot, or sent to
 * every shard), gathered until the last arrives and then merged into the client's one reply.
 */
final class PartReplies {
    private final ByteBuf[] replies;
    private final ShardPolicy.Response policy;
    private final int[][] positions; // MGET: where each part's values go; null otherwise
    private final int total;
    private int missing;
    private int scanShard = -1; // SCAN: the shard asked, and how many there are, for the cursor the client gets
    private int scanShards;

    PartReplies(int parts, ShardPolicy.Response policy, int[][] positions, int total) {
        this.replies = new ByteBuf[parts];
        this.policy = policy;
        this.positions = positions;
        this.total = total;
        this.missing = parts;
    }

    /** The one part of a SCAN step on shard {@code shard} of {@code shards}. */
    static PartReplies scan(int shard, int shards) {
        PartReplies r = new PartReplies(1, ShardPolicy.Response.SPECIAL, null, 0);
        r.scanShard = shard;
        r.scanShards = shards;
        return r;
    }

    /** Keeps part {@code i}'s reply (taking it over); true when it was the last one missing. */
    boolean arrived(int i, ByteBuf reply) {
        replies[i] = reply;
        return --missing == 0;
    }

    /** The client's reply, merged from every part's (which are released). */
    ByteBuf merge(ByteBufAllocator alloc) {
        try {
            return scanShard >= 0 ? io.resplit.cluster.ScanCursor.reply(alloc, replies[0], scanShard, scanShards)
                    : ReplyMerge.merge(alloc, policy, replies, positions, total);
        } catch (IllegalArgumentException e) {
            return io.resplit.resp.RespWriter.error(alloc, "ERR resplit: the nodes' replies could not be merged: "
                    + e.getMessage());
        } finally {
            releaseAll();
        }
    }

    void releaseAll() {
        for (int i = 0; i < replies.length; i++) {
            if (replies[i] != null) {
                replies[i].release();
                replies[i] = null;
            }
        }
    }
}
