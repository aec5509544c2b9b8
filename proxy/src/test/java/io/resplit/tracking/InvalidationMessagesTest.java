package io.resplit.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frames of client-side caching, both ways: what a feed sends, and what clients get. */
class InvalidationMessagesTest {
    private static ByteBuf frame(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    @Test
    void feedPushesOfKeysIncludingBinaryOnes() {
        InvalidationMessages.FeedMessage m = InvalidationMessages.parse(
                frame(">2\r\n$10\r\ninvalidate\r\n*2\r\n$1\r\na\r\n$4\r\n\r\n\0\u00ff\r\n"));
        List<byte[]> keys = assertInstanceOf(InvalidationMessages.Keys.class, m).keys();
        assertEquals(2, keys.size());
        assertArrayEquals("a".getBytes(StandardCharsets.US_ASCII), keys.get(0));
        assertArrayEquals(new byte[] {'\r', '\n', 0, (byte) 0xff}, keys.get(1));
    }

    @Test
    void feedFlushAndOtherFrames() {
        assertInstanceOf(InvalidationMessages.Flush.class,
                InvalidationMessages.parse(frame(">2\r\n$10\r\ninvalidate\r\n_\r\n")));
        assertInstanceOf(InvalidationMessages.Other.class, InvalidationMessages.parse(frame("+PONG\r\n")));
        assertInstanceOf(InvalidationMessages.Other.class,
                InvalidationMessages.parse(frame(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n")));
    }

    @Test
    void clientFramesInRedisFormForEachProtocol() {
        var alloc = UnpooledByteBufAllocator.DEFAULT;
        List<byte[]> keys = List.of("k".getBytes(StandardCharsets.US_ASCII));
        assertEquals(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n", text(InvalidationMessages.invalidate(alloc, keys, 3)));
        assertEquals("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n",
                text(InvalidationMessages.invalidate(alloc, keys, 2)));
        assertEquals(">2\r\n$10\r\ninvalidate\r\n_\r\n", text(InvalidationMessages.invalidate(alloc, null, 3)));
        assertEquals("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n",
                text(InvalidationMessages.invalidate(alloc, null, 2)));
        assertEquals(">2\r\n$21\r\ntracking-redir-broken\r\n:7\r\n",
                text(InvalidationMessages.redirectBroken(alloc, 7)));
    }
}
