package io.resplit.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.resplit.command.CommandSpec;
import io.resplit.command.CommandTable;
import io.resplit.command.CommandTableLoader;
import io.resplit.command.ShardPolicy;
import io.resplit.config.HostPort;
import io.resplit.resp.RespRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode's pure parts: the shard policy read from Redis's command tips, a request's slot and its split by
 * slot, merged replies, SCAN cursors and redirections.
 */
class ClusterRequestsTest {
    private static final CommandTable TABLE = CommandTableLoader.builtIn();
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static RespRequest request(String... args) {
        return RespRequest.of(ALLOC, args);
    }

    private static CommandSpec spec(RespRequest r) {
        return TABLE.resolve(r);
    }

    private static ShardPolicy policy(String... args) {
        RespRequest r = request(args);
        try {
            return spec(r).shardPolicy();
        } finally {
            r.release();
        }
    }

    private static ByteBuf buf(String resp) {
        return Unpooled.copiedBuffer(resp, StandardCharsets.US_ASCII);
    }

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    private static int slot(String key) {
        return HashSlot.of(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shardPoliciesComeFromRedisTips() {
        assertEquals(ShardPolicy.Request.MULTI_SHARD, policy("MGET", "a").request());
        assertEquals(ShardPolicy.Response.DEFAULT, policy("MGET", "a").response());
        assertEquals(new ShardPolicy(ShardPolicy.Request.MULTI_SHARD, ShardPolicy.Response.AGG_SUM),
                policy("DEL", "a"));
        assertEquals(new ShardPolicy(ShardPolicy.Request.MULTI_SHARD, ShardPolicy.Response.ALL_SUCCEEDED),
                policy("MSET", "a", "1"));
        assertEquals(new ShardPolicy(ShardPolicy.Request.ALL_SHARDS, ShardPolicy.Response.AGG_SUM),
                policy("DBSIZE"));
        assertEquals(new ShardPolicy(ShardPolicy.Request.ALL_NODES, ShardPolicy.Response.ALL_SUCCEEDED),
                policy("SCRIPT", "LOAD", "return 1"));
        assertEquals(ShardPolicy.Request.SPECIAL, policy("SCAN", "0").request());
        assertEquals(ShardPolicy.DEFAULT, policy("GET", "a"));
        // a policy a later Redis invents is not guessed at
        assertEquals(ShardPolicy.Request.SPECIAL, ShardPolicy.of(List.of("request_policy:some_new_one")).request());
        assertEquals(ShardPolicy.DEFAULT, ShardPolicy.of(List.of("nondeterministic_output")));
    }

    @Test
    void aRequestsSlotIsItsKeysSlotWhenTheyAgree() {
        RespRequest get = request("GET", "user:1");
        RespRequest tagged = request("MSETNX", "{u}a", "1", "{u}b", "2");
        RespRequest cross = request("SUNIONSTORE", "dest", "a", "b");
        RespRequest script = request("EVAL", "return 1", "2", "{x}1", "{x}2", "not-a-key");
        RespRequest none = request("PUBLISH", "chan", "msg");
        try {
            assertEquals(slot("user:1"), ClusterKeys.slot(spec(get), get));
            assertEquals(slot("u"), ClusterKeys.slot(spec(tagged), tagged));
            assertEquals(ClusterKeys.CROSS_SLOT, ClusterKeys.slot(spec(cross), cross));
            assertEquals(slot("x"), ClusterKeys.slot(spec(script), script));
            assertEquals(ClusterKeys.NO_KEYS, ClusterKeys.slot(spec(none), none));
        } finally {
            List.of(get, tagged, cross, script, none).forEach(RespRequest::release);
        }
    }

    @Test
    void multiKeyCommandsSplitBySlotKeepingKeyValueGroups() {
        RespRequest mset = request("MSET", "{a}1", "v1", "{b}1", "v2", "{a}2", "v3");
        try {
            ClusterKeys.Split split = ClusterKeys.split(spec(mset), mset);
            assertEquals(2, split.parts());
            assertEquals(3, split.groups());
            assertArrayEquals(new int[] {slot("a"), slot("b")}, split.slot());
            assertEquals(List.of("MSET", "{a}1", "v1", "{a}2", "v3"), strings(split.args().get(0)));
            assertEquals(List.of("MSET", "{b}1", "v2"), strings(split.args().get(1)));
            assertArrayEquals(new int[] {0, 2}, split.positions()[0]);
            assertArrayEquals(new int[] {1}, split.positions()[1]);
        } finally {
            mset.release();
        }
        RespRequest partial = request("MSET", "{a}1", "v1", "{b}1");
        try {
            assertNull(ClusterKeys.split(spec(partial), partial), "a key without its value is not split");
        } finally {
            partial.release();
        }
        RespRequest oneSlot = request("DEL", "{a}1", "{a}2");
        try {
            assertNull(ClusterKeys.split(spec(oneSlot), oneSlot), "one slot: sent as it is");
        } finally {
            oneSlot.release();
        }
    }

    private static List<String> strings(List<byte[]> args) {
        List<String> out = new ArrayList<>();
        args.forEach(a -> out.add(new String(a, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void repliesMergeByPolicy() {
        ByteBuf[] mget = {buf("*2\r\n$2\r\nv1\r\n$2\r\nv3\r\n"), buf("*2\r\n$-1\r\n$2\r\nv2\r\n")};
        assertEquals("*4\r\n$2\r\nv1\r\n$-1\r\n$2\r\nv3\r\n$2\r\nv2\r\n", text(ReplyMerge.merge(ALLOC,
                ShardPolicy.Response.DEFAULT, mget, new int[][] {{0, 2}, {1, 3}}, 4)));
        ByteBuf[] counts = {buf(":2\r\n"), buf(":0\r\n"), buf(":5\r\n")};
        assertEquals(":7\r\n", text(ReplyMerge.merge(ALLOC, ShardPolicy.Response.AGG_SUM, counts, null, 0)));
        assertEquals(":0\r\n", text(ReplyMerge.merge(ALLOC, ShardPolicy.Response.AGG_MIN, counts, null, 0)));
        ByteBuf[] keys = {buf("*1\r\n$1\r\na\r\n"), buf("*0\r\n"), buf("*2\r\n$1\r\nb\r\n$1\r\nc\r\n")};
        assertEquals("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
                text(ReplyMerge.merge(ALLOC, ShardPolicy.Response.DEFAULT, keys, null, 0)));
        ByteBuf[] exists = {buf("*2\r\n:1\r\n:1\r\n"), buf("*2\r\n:1\r\n:0\r\n")};
        assertEquals("*2\r\n:1\r\n:0\r\n",
                text(ReplyMerge.merge(ALLOC, ShardPolicy.Response.AGG_LOGICAL_AND, exists, null, 0)));
        ByteBuf[] oneFailed = {buf("+OK\r\n"), buf("-OOM no memory\r\n")};
        assertEquals("-OOM no memory\r\n",
                text(ReplyMerge.merge(ALLOC, ShardPolicy.Response.ALL_SUCCEEDED, oneFailed, null, 0)));
        assertEquals("+OK\r\n",
                text(ReplyMerge.merge(ALLOC, ShardPolicy.Response.ONE_SUCCEEDED, oneFailed, null, 0)));
        ByteBuf[] random = {buf("$-1\r\n"), buf("$3\r\nkey\r\n"), buf("$-1\r\n")};
        assertEquals("$3\r\nkey\r\n", text(ReplyMerge.merge(ALLOC, ShardPolicy.Response.DEFAULT, random, null, 0)));
        ByteBuf[] wrongCount = {buf("*1\r\n$1\r\na\r\n")};
        assertThrows(IllegalArgumentException.class,
                () -> ReplyMerge.merge(ALLOC, ShardPolicy.Response.DEFAULT, wrongCount, new int[][] {{0, 1}}, 2));
        for (ByteBuf[] parts : List.of(mget, counts, keys, exists, oneFailed, random, wrongCount)) {
            for (ByteBuf p : parts) {
                assertEquals(1, p.refCnt(), "the parts stay the caller's");
                p.release();
            }
        }
    }

    @Test
    void scanCursorsCarryTheShardAndMoveOnWhenItIsDone() {
        assertEquals(new ScanCursor.Position(0, 0), ScanCursor.decode("0", 3));
        assertNull(ScanCursor.decode("-1", 3));
        assertNull(ScanCursor.decode("abc", 3));
        long next = ScanCursor.next(1, 17, 3);
        assertEquals(new ScanCursor.Position(1, 17), ScanCursor.decode(Long.toUnsignedString(next), 3));
        assertEquals(2, ScanCursor.next(1, 0, 3), "shard 1 done: shard 2 from its start");
        assertEquals(0, ScanCursor.next(2, 0, 3), "the last shard done: the scan is over");
        ByteBuf shardReply = buf("*2\r\n$2\r\n12\r\n*1\r\n$1\r\nk\r\n");
        try {
            assertEquals("*2\r\n$5\r\n" + (12 << ScanCursor.SHARD_BITS | 2) + "\r\n*1\r\n$1\r\nk\r\n",
                    text(ScanCursor.reply(ALLOC, shardReply, 2, 3)));
        } finally {
            shardReply.release();
        }
    }

    @Test
    void redirectionsAreRead() {
        ByteBuf moved = buf("-MOVED 3999 127.0.0.1:6381\r\n");
        ByteBuf ask = buf("-ASK 12 ::1:7000\r\n");
        ByteBuf other = buf("-ERR wrong\r\n");
        ByteBuf tryAgain = buf("-TRYAGAIN Multiple keys request during rehashing of slot\r\n");
        try {
            assertEquals(new Redirect(false, 3999, new HostPort("127.0.0.1", 6381)), Redirect.of(moved));
            assertEquals(new Redirect(true, 12, new HostPort("::1", 7000)), Redirect.of(ask));
            assertNull(Redirect.of(other));
            assertEquals(true, Redirect.transientError(tryAgain));
            assertEquals(false, Redirect.transientError(other));
        } finally {
            List.of(moved, ask, other, tryAgain).forEach(ByteBuf::release);
        }
    }
}
