package io.resplit.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Framing of backend replies. Golden wire files under {@code resp/replies/} are fed whole, split in two at every
 * byte position, and one byte at a time; the emitted slices must be exactly the top-level replies (an RESP3
 * attribute and the reply it annotates forming one), and concatenated they must give back the input.
 */
class RespReplyDecoderTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    record Fixture(String file, List<String> replies) {
        byte[] bytes() {
            return RespRequestDecoderTest.resource("/resp/replies/" + file);
        }

        @Override
        public String toString() {
            return file;
        }
    }

    static final Fixture RESP2 = new Fixture("resp2.resp", List.of(
            "+OK\r\n",
            "-ERR x\r\n",
            ":1\r\n",
            ":-42\r\n",
            "$-1\r\n",
            "$0\r\n\r\n",
            "$6\r\na\r\nb\r\n\r\n",
            "*2\r\n*2\r\n:1\r\n$1\r\nx\r\n*0\r\n",
            "*-1\r\n",
            "*0\r\n",
            "*3\r\n$3\r\nfoo\r\n$-1\r\n*1\r\n*1\r\n+deep\r\n",
            "$5\r\n+OK\r\n\r\n"));

    static final Fixture RESP3 = new Fixture("resp3.resp", List.of(
            "_\r\n",
            ",1.5\r\n",
            ",inf\r\n",
            "#t\r\n",
            "#f\r\n",
            "(123\r\n",
            "(-3492890328409238509324850943850943825024385\r\n",
            "!3\r\nerr\r\n",
            "=9\r\ntxt:hello\r\n",
            "%2\r\n+a\r\n:1\r\n$1\r\nb\r\n*1\r\n_\r\n",
            "%0\r\n",
            "~2\r\n+x\r\n+y\r\n",
            "~0\r\n",
            ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nhi!\r\n",
            "|1\r\n+ttl\r\n:3600\r\n$5\r\nvalue\r\n",
            "|1\r\n+key\r\n*2\r\n:1\r\n:2\r\n*2\r\n:1\r\n:2\r\n", // attribute value an array, then the reply
            "*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n",
            "%1\r\n+k\r\n|1\r\n+meta\r\n_\r\n~1\r\n!2\r\nno\r\n"));

    static Stream<Fixture> fixtures() {
        return Stream.of(RESP2, RESP3);
    }

    private final List<ByteBuf> tracked = new ArrayList<>();

    @AfterEach
    void everythingReleased() {
        for (ByteBuf buf : tracked) {
            assertEquals(0, buf.refCnt(), "a buffer was not released: " + buf);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void fixtureFileIsTheConcatenationOfItsReplies(Fixture f) {
        assertEquals(String.join("", f.replies()), new String(f.bytes(), StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void whole(Fixture f) {
        assertFrames(f, List.of(f.bytes()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void splitInTwoAtEveryByte(Fixture f) {
        byte[] input = f.bytes();
        for (int cut = 1; cut < input.length; cut++) {
            assertFrames(f, List.of(Arrays.copyOfRange(input, 0, cut), Arrays.copyOfRange(input, cut, input.length)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void oneByteAtATime(Fixture f) {
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : f.bytes()) {
            chunks.add(new byte[] {b});
        }
        assertFrames(f, chunks);
    }

    /**
     * Replies taken in place (every other one here) are offered with their exact bytes and error flag, in order
     * with the ones emitted as slices, and leave nothing retained; split at every byte, as the others.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyOtherReplyTakenInPlace(Fixture f) {
        byte[] input = f.bytes();
        for (int cut = 1; cut < input.length; cut++) {
            List<String> seen = new ArrayList<>();
            RespReplyDecoder decoder = new RespReplyDecoder();
            EmbeddedChannel ch = new EmbeddedChannel(decoder);
            ch.config().setAllocator(ALLOC);
            decoder.inPlace((in, index, length, error) -> {
                if (seen.size() % 2 == 1) {
                    return false;
                }
                String reply = in.toString(index, length, StandardCharsets.ISO_8859_1);
                assertEquals(reply.startsWith("-") || reply.startsWith("!"), error, reply);
                seen.add(reply);
                return true;
            });
            byte[] head = Arrays.copyOfRange(input, 0, cut);
            byte[] tail = Arrays.copyOfRange(input, cut, input.length);
            for (byte[] chunk : List.of(head, tail)) {
                ch.writeInbound(buf(chunk));
                ByteBuf frame;
                while ((frame = ch.readInbound()) != null) {
                    seen.add(frame.toString(StandardCharsets.ISO_8859_1));
                    frame.release();
                }
            }
            assertFalse(ch.finish());
            assertEquals(f.replies(), seen, f + " cut at " + cut);
        }
        for (ByteBuf b : tracked) {
            assertEquals(0, b.refCnt(), "not released: " + b);
        }
    }

    @Test
    void deeplyNestedAggregateIsOneFrame() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            s.append("*1\r\n");
        }
        s.append(":7\r\n");
        String reply = s.toString();
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : latin1(reply + "+OK\r\n")) {
            chunks.add(new byte[] {b});
        }
        List<byte[]> frames = feed(newChannel(), chunks);
        assertEquals(2, frames.size());
        assertEquals(reply, new String(frames.get(0), StandardCharsets.ISO_8859_1));
    }

    @Test
    void largeBulkInPieces() {
        byte[] value = new byte[300_000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i % 251);
        }
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(latin1("*2\r\n$" + value.length + "\r\n"));
        wire.writeBytes(value);
        wire.writeBytes(latin1("\r\n:1\r\n+OK\r\n"));
        byte[] input = wire.toByteArray();
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < input.length; off += 1400) {
            chunks.add(Arrays.copyOfRange(input, off, Math.min(input.length, off + 1400)));
        }
        List<byte[]> frames = feed(newChannel(), chunks);
        assertEquals(2, frames.size());
        assertArrayEquals(Arrays.copyOfRange(input, 0, input.length - 5), frames.get(0));
        assertArrayEquals(latin1("+OK\r\n"), frames.get(1));
    }

    @Test
    void incompleteReplyIsNotEmittedAndReleasedOnClose() {
        List<byte[]> frames = feed(newChannel(), List.of(latin1("+OK\r\n*3\r\n:1\r\n$5\r\nab")));
        assertEquals(1, frames.size());
    }

    @Test
    void unknownTypeByteFailsTheStream() {
        EmbeddedChannel ch = newChannel();
        ByteBuf in = buf(latin1("+OK\r\n@what\r\n"));
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(in));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        ByteBuf ok = ch.readInbound();
        assertEquals("+OK\r\n", ok.toString(StandardCharsets.US_ASCII));
        tracked.add(ok);
        ok.release();
        // closing re-runs the decoder over the unknown byte: it fails again, and the cumulation is freed anyway
        assertThrows(DecoderException.class, ch::finishAndReleaseAll);
        assertEquals(0, in.refCnt());
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private EmbeddedChannel newChannel() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespReplyDecoder());
        ch.config().setAllocator(ALLOC);
        return ch;
    }

    private ByteBuf buf(byte[] bytes) {
        ByteBuf b = ALLOC.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes);
        tracked.add(b);
        return b;
    }

    private List<byte[]> feed(EmbeddedChannel ch, List<byte[]> chunks) {
        int first = tracked.size();
        List<byte[]> frames = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ch.writeInbound(buf(chunk));
            ByteBuf frame;
            while ((frame = ch.readInbound()) != null) {
                frames.add(ByteBufUtil.getBytes(frame));
                tracked.add(frame);
                frame.release();
            }
        }
        assertFalse(ch.finish(), "nothing may be left pending when the channel closes");
        for (ByteBuf b : tracked.subList(first, tracked.size())) {
            assertEquals(0, b.refCnt(), "not released: " + b);
        }
        return frames;
    }

    private void assertFrames(Fixture f, List<byte[]> chunks) {
        List<byte[]> frames = feed(newChannel(), chunks);
        String where = f + " in " + chunks.size() + " chunks";
        assertEquals(f.replies().size(), frames.size(), where + ": number of top-level replies");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(f.replies().get(i), new String(frames.get(i), StandardCharsets.ISO_8859_1),
                    where + ": reply " + i);
            all.writeBytes(frames.get(i));
        }
        assertArrayEquals(f.bytes(), all.toByteArray(), where + ": concatenated frames");
    }

    @Test
    void eachReplyIsToldWhetherItIsAnErrorWhileItIsHandled() {
        RespReplyDecoder decoder = new RespReplyDecoder();
        java.util.List<String> seen = new java.util.ArrayList<>();
        io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel(decoder,
                new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        io.netty.buffer.ByteBuf b = (io.netty.buffer.ByteBuf) msg;
                        seen.add((char) b.getByte(b.readerIndex()) + ":" + decoder.lastReplyIsError());
                        b.release();
                    }
                });
        // several replies in one read, and an error that is the last element of an array (not an error reply)
        ch.writeInbound(io.netty.buffer.Unpooled.copiedBuffer(
                "+OK\r\n-ERR x\r\n*2\r\n:1\r\n-ERR in array\r\n!3\r\nabc\r\n$1\r\n-\r\n-WRONGTYPE y\r\n",
                java.nio.charset.StandardCharsets.US_ASCII));
        org.junit.jupiter.api.Assertions.assertEquals(
                java.util.List.of("+:false", "-:true", "*:false", "!:true", "$:false", "-:true"), seen);
        ch.finishAndReleaseAll();
    }

    @Test
    void aLargeValueIsHeldInABufferSizedForIt() {
        // a 1 MiB value arriving in 64 KiB reads: the reply is a slice of a buffer grown once to its length, not
        // of a power-of-two buffer twice its size (a slow client would then hold each reply twice)
        int size = 1024 * 1024;
        byte[] header = ("$" + size + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        io.netty.buffer.ByteBuf all = io.netty.buffer.Unpooled.buffer(header.length + size + 2);
        all.writeBytes(header).writeZero(size).writeBytes(new byte[] {'\r', '\n'});
        EmbeddedChannel ch = new EmbeddedChannel(new RespReplyDecoder());
        try {
            while (all.isReadable()) {
                ch.writeInbound(all.readRetainedSlice(Math.min(64 * 1024, all.readableBytes())));
            }
            io.netty.buffer.ByteBuf reply = ch.readInbound();
            try {
                assertEquals(header.length + size + 2, reply.readableBytes());
                int capacity = reply.unwrap().capacity();
                assertTrue(capacity <= header.length + size + 2 + 64 * 1024 + 64 * 1024,
                        "held in " + capacity + " bytes");
            } finally {
                reply.release();
            }
        } finally {
            all.release();
            ch.finishAndReleaseAll();
        }
    }
}
