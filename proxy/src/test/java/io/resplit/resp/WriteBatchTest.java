package io.resplit.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link WriteBatch}: fewest messages, the order kept, every buffer released once (leak detection paranoid). */
class WriteBatchTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final WriteBatch batch = new WriteBatch();

    @AfterEach
    void close() {
        batch.release();
        channel.finishAndReleaseAll();
    }

    private static ByteBuf frame(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** The next outbound message, as text, released. */
    private String next() {
        ByteBuf m = channel.readOutbound();
        try {
            return m.toString(StandardCharsets.US_ASCII);
        } finally {
            m.release();
        }
    }

    @Test
    void smallFramesBecomeOneMessageAtTheHandOver() {
        ByteBuf a = frame("+OK\r\n");
        batch.write(channel, a);
        batch.write(channel, frame(":1\r\n"));
        assertEquals(0, a.refCnt(), "copied, then released");
        assertEquals(9, batch.pendingBytes());
        assertNull(channel.readOutbound(), "nothing reaches the channel before the hand-over");
        batch.handOver(channel);
        channel.flush();
        assertEquals("+OK\r\n:1\r\n", next());
        assertNull(channel.readOutbound());
        assertEquals(0, batch.pendingBytes());
    }

    @Test
    void aLargeFrameGoesAsItIsAfterWhatCameBefore() {
        String large = "$" + (WriteBatch.COPY_AT_MOST) + "\r\n" + "x".repeat(WriteBatch.COPY_AT_MOST) + "\r\n";
        batch.write(channel, frame("+a\r\n"));
        batch.write(channel, frame(large));
        batch.write(channel, frame("+b\r\n"));
        batch.handOver(channel);
        channel.flush();
        assertEquals("+a\r\n", next());
        assertEquals(large, next());
        assertEquals("+b\r\n", next());
        assertNull(channel.readOutbound());
    }

    @Test
    void aFrameOfExactlyTheCopyLimitIsCopied() {
        batch.write(channel, frame("x".repeat(WriteBatch.COPY_AT_MOST)));
        assertEquals(WriteBatch.COPY_AT_MOST, batch.pendingBytes());
    }

    @Test
    void theBatchIsHandedOverBeforeItPassesItsLimit() {
        String small = "x".repeat(WriteBatch.COPY_AT_MOST);
        int perBatch = WriteBatch.LIMIT / small.length();
        for (int i = 0; i <= perBatch; i++) {
            batch.write(channel, frame(small));
        }
        assertEquals(small.length(), batch.pendingBytes(), "the last frame starts a new batch");
        channel.flush();
        assertEquals(WriteBatch.LIMIT, next().length());
        assertNull(channel.readOutbound());
    }

    @Test
    void releaseDropsWhatWasNotHandedOver() {
        batch.write(channel, frame("+OK\r\n"));
        batch.release();
        assertEquals(0, batch.pendingBytes());
        batch.handOver(channel);
        channel.flush();
        assertNull(channel.readOutbound());
    }
    @Test
    void aCopiedFrameStaysTheCallersWhateverItsSize() {
        ByteBuf small = frame("*1\r\n$4\r\nPING\r\n");
        small.skipBytes(3); // a copy takes the bytes asked for, wherever the reader index is
        String large = "x".repeat(WriteBatch.COPY_AT_MOST + 1);
        ByteBuf big = frame(large);
        batch.copy(channel, small, 0, small.writerIndex());
        batch.copy(channel, big, 0, big.writerIndex());
        batch.copy(channel, small, 0, small.writerIndex());
        assertEquals(1, small.refCnt()); // copied: no reference taken
        assertEquals(2, big.refCnt());   // handed to the channel as a slice, which holds one until written
        batch.handOver(channel);
        channel.flush();
        assertEquals("*1\r\n$4\r\nPING\r\n", next());
        assertEquals(large, next());
        assertEquals("*1\r\n$4\r\nPING\r\n", next());
        assertNull(channel.readOutbound());
        assertEquals(1, big.refCnt());
        small.release();
        big.release();
    }
}
