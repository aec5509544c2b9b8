package io.resplit.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A request finds its arguments in its frame from the one it located last (no table of offsets is kept): every
 * order of access must give the same arguments, whatever bytes they hold; and its frame can be written once
 * as itself and again as slices.
 */
class RespRequestTest {
    private static final byte[][] ARGS = {
        "SET".getBytes(StandardCharsets.US_ASCII), new byte[0], "a\r\n$3\r\nxyz\r\n".getBytes(StandardCharsets.US_ASCII),
        "0123456789".repeat(2).getBytes(StandardCharsets.US_ASCII), {'\r'}, "last".getBytes(StandardCharsets.US_ASCII)
    };
    private static final int[][] ORDERS = {{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}, {2, 0, 5, 1, 1, 3, 0, 4}, {3, 3, 5}};

    @Test
    void argumentsInAnyOrderFromDecodedAndBuiltRequests() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespRequestDecoder(RespLimits.defaults(), true));
        RespRequest built = RespRequest.of(UnpooledByteBufAllocator.DEFAULT, ARGS);
        for (int[] order : ORDERS) {
            ch.writeInbound(built.frame().retainedSlice(0, built.frame().writerIndex()));
            RespRequest decoded = ch.readInbound();
            for (RespRequest r : new RespRequest[] {decoded, RespRequest.of(UnpooledByteBufAllocator.DEFAULT, ARGS)}) {
                assertEquals(ARGS.length, r.argc());
                for (int i : order) {
                    assertArrayEquals(ARGS[i], r.argBytes(i), "argument " + i);
                    assertArrayEquals(ARGS[i], ByteBufUtil.getBytes(r.arg(i)), "argument " + i);
                }
                assertThrows(IndexOutOfBoundsException.class, () -> r.argLength(ARGS.length));
                r.release();
            }
        }
        built.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void retainedFramesAreSlicesOfTheWholeRequest() {
        RespRequest r = RespRequest.of(UnpooledByteBufAllocator.DEFAULT, ARGS);
        byte[] whole = ByteBufUtil.getBytes(r.frame());
        ByteBuf first = r.retainedFrame();
        assertEquals(2, r.bytes().refCnt());
        first.skipBytes(first.readableBytes()); // what a channel's write does to it
        first.release();
        ByteBuf again = r.retainedFrame();
        assertArrayEquals(whole, ByteBufUtil.getBytes(again));
        again.release();
        assertArrayEquals(ARGS[5], r.argBytes(5));
        r.release();
        assertEquals(0, r.bytes().refCnt());
    }
}
