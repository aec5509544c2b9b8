package io.resplit.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Framing of client input. Golden wire files under {@code resp/requests/} are fed whole, split in two at every
 * byte position, and one byte at a time; each must give the same requests, and a multibulk request's
 * {@link RespRequest#frame()} must be exactly the bytes the client sent (the proxy forwards them unchanged).
 *
 * <p>Every buffer the test creates or receives is tracked and must end with {@code refCnt() == 0}: the input
 * buffers once the channel is finished, and every request frame once released.
 */
class RespRequestDecoderTest {
    /**
     * Unpooled buffers are never recycled, so a released buffer's refCnt stays 0 and can be checked afterwards;
     * direct ones are leak-tracked (surefire runs with paranoid leak detection).
     */
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    /** One piece of a fixture: its raw bytes and the request it decodes to (null: none, e.g. "*0"). */
    record Segment(byte[] raw, List<byte[]> args, boolean multibulk) {
    }

    /** What one emitted request looked like before it was released. */
    record Decoded(List<byte[]> args, byte[] frame) {
        @Override
        public String toString() {
            return "Decoded" + args.stream().map(a -> new String(a, StandardCharsets.ISO_8859_1))
                    .collect(Collectors.toList());
        }
    }

    record Fixture(String file, List<Segment> segments) {
        byte[] bytes() {
            return resource("/resp/requests/" + file);
        }

        @Override
        public String toString() {
            return file;
        }
    }

    private final List<ByteBuf> tracked = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void everythingReleased() {
        for (EmbeddedChannel ch : channels) {
            if (ch.isOpen()) {
                ch.finishAndReleaseAll();
            }
        }
        for (ByteBuf buf : tracked) {
            assertEquals(0, buf.refCnt(), "a buffer was not released: " + buf);
        }
    }

    // ---------------------------------------------------------------- fixtures

    static Stream<Fixture> fixtures() {
        return Stream.of(PIPELINE, INLINE);
    }

    static final Fixture PIPELINE = new Fixture("pipeline.resp", List.of(
            mb("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", "SET", "k", ""),
            mb("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "GET", "k"),
            mb("*3\r\n$3\r\nSET\r\n$3\r\nbin\r\n$10\r\n\u0000\r\n\u00ff$*\r\n\n\r\r\n", "SET", "bin",
                    "\u0000\r\n\u00ff$*\r\n\n\r"),
            none("*0\r\n"),
            inline("PING\r\n", "PING"),
            inline("SET k \"a b\"\r\n", "SET", "k", "a b"),
            none("*-1\r\n"),
            mb("*1\r\n$4\r\nPING\r\n", "PING"),
            none("\r\n"),
            inline("GET k\n", "GET", "k"),
            mb("*2\r\n$4\r\nECHO\r\n$12\r\n*1\r\n$4\r\nPING\r\n", "ECHO", "*1\r\n$4\r\nPING"),
            mb("*5\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$0\r\n\r\n$2\r\n\r\n\r\n$1\r\n\u00e9\r\n", "RPUSH", "l", "", "\r\n",
                    "\u00e9")));

    static final Fixture INLINE = new Fixture("inline.resp", List.of(
            inline("SET k \"\\x41\\n\"\r\n", "SET", "k", "A\n"),
            inline("SET 'it\\'s' 'a\\nb'\r\n", "SET", "it's", "a\\nb"),
            inline("  GET\t k  \r\n", "GET", "k"),
            inline("ECHO \"tab\\there\" \"\"\r\n", "ECHO", "tab\there", ""),
            inline("SET k v\"q q\"\r\n", "SET", "k", "vq q"),
            inline("ECHO \"\\\"quoted\\\" \\\\\"\r\n", "ECHO", "\"quoted\" \\"),
            inline("ECHO \"\\xZZ\" \"\\x4a\\x4B\"\r\n", "ECHO", "xZZ", "JK"),
            none("   \r\n"),
            mb("*1\r\n$4\r\nPING\r\n", "PING"),
            inline("ECHO '' \"\\r\\t\\b\\a\\q\"\n", "ECHO", "", "\r\t\b\u0007q")));

    private static Segment mb(String raw, String... args) {
        return new Segment(latin1(raw), argList(args), true);
    }

    private static Segment inline(String raw, String... args) {
        return new Segment(latin1(raw), argList(args), false);
    }

    private static Segment none(String raw) {
        return new Segment(latin1(raw), null, false);
    }

    private static List<byte[]> argList(String... args) {
        return Arrays.stream(args).map(RespRequestDecoderTest::latin1).collect(Collectors.toList());
    }

    /** Bytes 0-255 written as chars U+0000-U+00FF. */
    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] resource(String path) {
        try (InputStream in = RespRequestDecoderTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void fixtureFileIsTheConcatenationOfItsSegments(Fixture f) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        f.segments().forEach(s -> all.writeBytes(s.raw()));
        assertArrayEquals(all.toByteArray(), f.bytes(), "golden file and segment table disagree");
    }

    // ---------------------------------------------------------------- framing

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void whole(Fixture f) {
        assertDecodesTo(f, List.of(f.bytes()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void splitInTwoAtEveryByte(Fixture f) {
        byte[] input = f.bytes();
        for (int cut = 1; cut < input.length; cut++) {
            assertDecodesTo(f, List.of(Arrays.copyOfRange(input, 0, cut), Arrays.copyOfRange(input, cut, input.length)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void oneByteAtATime(Fixture f) {
        byte[] input = f.bytes();
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : input) {
            chunks.add(new byte[] {b});
        }
        assertDecodesTo(f, chunks);
    }

    @Test
    void requestsOfTheSameBufferShareItButEachIsReleasedIndependently() {
        EmbeddedChannel ch = channel(RespLimits.defaults(), true);
        ByteBuf in = buf(latin1("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"));
        assertTrue(ch.writeInbound(in));
        RespRequest first = ch.readInbound();
        RespRequest second = ch.readInbound();
        assertNull(ch.readInbound());
        assertEquals("PING", first.argString(0));
        assertEquals("k", second.argString(1));
        assertTrue(second.argIs(0, "get"));
        ByteBuf dup = second.retainedFrame();
        first.release();
        second.release();
        assertEquals("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", dup.toString(StandardCharsets.ISO_8859_1),
                "a retained frame outlives its request");
        dup.release();
        assertFalse(ch.finish());
        assertEquals(0, first.bytes().refCnt());
        assertEquals(0, second.bytes().refCnt());
    }

    @Test
    void aRequestStillHeldKeepsItsBytesWhileMoreInputArrivesBehindIt() {
        // a request points into the decoder's input buffer; the input that follows it (appended, compacted,
        // copied into a bigger buffer) must never change the bytes of one that is still held
        EmbeddedChannel ch = channel(RespLimits.defaults(), true);
        String get = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
        assertTrue(ch.writeInbound(buf(latin1(get + "*3\r\n$3\r\nSET\r\n$1\r\nk"))));
        RespRequest held = ch.readInbound();
        List<RespRequest> later = new ArrayList<>();
        StringBuilder big = new StringBuilder("\r\n$20000\r\n");
        big.append("v".repeat(20_000)).append("\r\n");
        for (int i = 0; i < 200; i++) {
            big.append("*1\r\n$4\r\nPING\r\n");
        }
        byte[] rest = latin1(big.toString());
        for (int off = 0; off < rest.length; off += 777) { // many reads, each appended behind the held request
            ch.writeInbound(buf(Arrays.copyOfRange(rest, off, Math.min(rest.length, off + 777))));
            for (RespRequest r; (r = ch.readInbound()) != null; ) {
                later.add(r);
            }
            assertEquals(get, held.frame().toString(StandardCharsets.ISO_8859_1), "after " + off + " bytes more");
            assertEquals("key", held.argString(1));
        }
        assertEquals(201, later.size());
        assertEquals(20_000, later.get(0).argLength(2));
        assertEquals("PING", later.get(200).argString(0));
        held.release();
        later.forEach(RespRequest::release);
        assertFalse(ch.finish());
        assertEquals(0, held.bytes().refCnt());
    }

    @Test
    void aLargeBulkArrivingInManyPiecesIsOneRequest() {
        byte[] value = new byte[200_000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31 + 7); // contains \r and \n here and there
        }
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(latin1("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + value.length + "\r\n"));
        wire.writeBytes(value);
        wire.writeBytes(latin1("\r\n*1\r\n$4\r\nPING\r\n"));
        byte[] input = wire.toByteArray();
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < input.length; off += 1000) {
            chunks.add(Arrays.copyOfRange(input, off, Math.min(input.length, off + 1000)));
        }
        List<Object> out = feed(channel(RespLimits.defaults(), true), chunks);
        assertEquals(2, out.size());
        Decoded set = (Decoded) out.get(0);
        assertArrayEquals(value, set.args().get(2));
        assertArrayEquals(Arrays.copyOfRange(input, 0, input.length - 14), set.frame());
        assertEquals("PING", new String(((Decoded) out.get(1)).args().get(0), StandardCharsets.US_ASCII));
    }

    @Test
    void hugeButValidCountAllocatesNothingFromTheCount() {
        EmbeddedChannel ch = channel(RespLimits.defaults(), true);
        List<byte[]> chunks = new ArrayList<>();
        chunks.add(latin1("*2147483647\r\n"));
        for (int i = 0; i < 1000; i++) {
            chunks.add(latin1("$1\r\na\r\n"));
        }
        // would throw OutOfMemoryError (or NegativeArraySize) if anything were sized from the count
        List<Object> out = feed(ch, chunks);
        assertEquals(List.of(), out, "an incomplete request emits nothing");
    }

    @Test
    void countAboveIntMaxIsInvalid() {
        assertProtocolError(RespLimits.defaults(), true, "*2147483648\r\n", "Protocol error: invalid multibulk length");
    }

    // ---------------------------------------------------------------- errors (Redis's own texts)

    static Stream<Arguments> errors() {
        RespLimits d = RespLimits.defaults();
        return Stream.of(
                Arguments.of("bad bulk length", d, true, "*1\r\n$x\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("negative bulk length", d, true, "*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("bad count", d, true, "*abc\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("count with plus", d, true, "*+1\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("count with leading zero", d, true, "*01\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("empty count", d, true, "*\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("not a bulk", d, true, "*1\r\n+foo\r\n", "Protocol error: expected '$', got '+'"),
                Arguments.of("inline where a bulk is due", d, true, "*2\r\n$3\r\nGET\r\nk\r\n",
                        "Protocol error: expected '$', got 'k'"),
                Arguments.of("unauthenticated count", d, false, "*11\r\n",
                        "Protocol error: unauthenticated multibulk length"),
                Arguments.of("unauthenticated bulk", d, false, "*1\r\n$16385\r\n",
                        "Protocol error: unauthenticated bulk length"),
                Arguments.of("bulk over proto-max-bulk-len", new RespLimits(1024 * 1024, 1024 * 1024 * 1024L), true,
                        "*1\r\n$1048577\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("unbalanced double quote", d, true, "SET k \"abc\r\n",
                        "Protocol error: unbalanced quotes in request"),
                Arguments.of("unbalanced single quote", d, true, "SET k 'abc\r\n",
                        "Protocol error: unbalanced quotes in request"),
                Arguments.of("closing quote not followed by a space", d, true, "SET k \"a\"b\r\n",
                        "Protocol error: unbalanced quotes in request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void protocolErrorWhole(String name, RespLimits limits, boolean authenticated, String input, String message) {
        assertProtocolError(limits, authenticated, input, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void protocolErrorOneByteAtATime(String name, RespLimits limits, boolean authenticated, String input,
                                     String message) {
        EmbeddedChannel ch = channel(limits, authenticated);
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : latin1(input)) {
            chunks.add(new byte[] {b});
        }
        chunks.add(latin1("*1\r\n$4\r\nPING\r\n")); // discarded: the connection is closing
        List<Object> out = feed(ch, chunks);
        assertEquals(1, out.size(), () -> "expected one error, got " + out);
        assertEquals(message, assertInstanceOf(ProtocolException.class, out.get(0)).getMessage());
    }

    @Test
    void errorComesInOrderAfterTheRequestsBeforeIt() {
        EmbeddedChannel ch = channel(RespLimits.defaults(), true);
        List<Object> out = feed(ch, List.of(latin1("*1\r\n$4\r\nPING\r\nECHO x\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\n"),
                latin1("*1\r\n$4\r\nPING\r\n")));
        assertEquals(3, out.size(), () -> "got " + out);
        assertEquals("PING", new String(((Decoded) out.get(0)).args().get(0), StandardCharsets.US_ASCII));
        assertEquals("ECHO", new String(((Decoded) out.get(1)).args().get(0), StandardCharsets.US_ASCII));
        assertEquals("Protocol error: invalid bulk length",
                assertInstanceOf(ProtocolException.class, out.get(2)).getMessage());
    }

    @Test
    void unauthenticatedLimitsAreInclusive() {
        EmbeddedChannel ch = channel(RespLimits.defaults(), false);
        StringBuilder ten = new StringBuilder("*10\r\n");
        for (int i = 0; i < 10; i++) {
            ten.append("$1\r\na\r\n");
        }
        byte[] big = new byte[16384];
        Arrays.fill(big, (byte) 'v');
        ByteArrayOutputStream bulk = new ByteArrayOutputStream();
        bulk.writeBytes(latin1("*2\r\n$4\r\nAUTH\r\n$16384\r\n"));
        bulk.writeBytes(big);
        bulk.writeBytes(latin1("\r\n"));
        List<Object> out = feed(ch, List.of(latin1(ten.toString()), bulk.toByteArray()));
        assertEquals(2, out.size(), () -> "got " + out);
        assertEquals(10, ((Decoded) out.get(0)).args().size());
        assertArrayEquals(big, ((Decoded) out.get(1)).args().get(1));
    }

    @Test
    void authenticationLiftsThePreAuthLimits() {
        EmbeddedChannel ch = channel(RespLimits.defaults(), false);
        ch.pipeline().get(RespRequestDecoder.class).setAuthenticated(true);
        StringBuilder eleven = new StringBuilder("*11\r\n");
        for (int i = 0; i < 11; i++) {
            eleven.append("$1\r\na\r\n");
        }
        List<Object> out = feed(ch, List.of(latin1(eleven.toString()), latin1("*1\r\n$16385\r\n")));
        assertEquals(1, out.size(), () -> "got " + out);
        assertEquals(11, ((Decoded) out.get(0)).args().size());
    }

    @Test
    void bulkOfExactlyProtoMaxBulkLenIsAccepted() {
        EmbeddedChannel ch = channel(new RespLimits(1024 * 1024, 1024 * 1024 * 1024L), true);
        assertEquals(List.of(), feed(ch, List.of(latin1("*1\r\n$1048576\r\n"))), "waits for the data, no error");
    }

    @Test
    void tooBigInlineRequest() {
        byte[] line = new byte[70_000];
        Arrays.fill(line, (byte) 'a');
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < line.length; off += 4096) {
            chunks.add(Arrays.copyOfRange(line, off, Math.min(line.length, off + 4096)));
        }
        chunks.add(latin1("\r\nPING\r\n"));
        List<Object> out = feed(channel(RespLimits.defaults(), true), chunks);
        assertEquals(1, out.size(), () -> "got " + out);
        assertEquals("Protocol error: too big inline request",
                assertInstanceOf(ProtocolException.class, out.get(0)).getMessage());
    }

    @Test
    void inlineJustBelowTheLimitIsAccepted() {
        byte[] line = new byte[RespLimits.INLINE_MAX];
        Arrays.fill(line, (byte) 'a');
        line[4] = ' ';
        List<Object> out = feed(channel(RespLimits.defaults(), true), List.of(line, latin1("\n")));
        assertEquals(1, out.size(), () -> "got " + out);
        assertEquals(2, ((Decoded) out.get(0)).args().size());
    }

    @Test
    void tooBigMultibulkCountString() {
        byte[] digits = new byte[70_000];
        Arrays.fill(digits, (byte) '1');
        List<Object> out = feed(channel(RespLimits.defaults(), true), List.of(latin1("*"), digits));
        assertEquals(1, out.size(), () -> "got " + out);
        assertEquals("Protocol error: too big mbulk count string",
                assertInstanceOf(ProtocolException.class, out.get(0)).getMessage());
    }

    @Test
    void tooBigBulkCountString() {
        byte[] digits = new byte[70_000];
        Arrays.fill(digits, (byte) '1');
        List<Object> out = feed(channel(RespLimits.defaults(), true), List.of(latin1("*1\r\n$"), digits));
        assertEquals(1, out.size(), () -> "got " + out);
        assertEquals("Protocol error: too big bulk count string",
                assertInstanceOf(ProtocolException.class, out.get(0)).getMessage());
    }

    @Test
    void incompleteRequestBeyondTheQueryBufferLimit() {
        EmbeddedChannel ch = channel(new RespLimits(512 * 1024 * 1024L, 1024 * 1024), true);
        List<byte[]> chunks = new ArrayList<>();
        chunks.add(latin1("*2\r\n$3\r\nGET\r\n$100000000\r\n"));
        byte[] piece = new byte[64 * 1024];
        Arrays.fill(piece, (byte) 'x');
        for (int sent = 0; sent < 1_100_000; sent += piece.length) {
            chunks.add(piece);
        }
        List<Object> out = feed(ch, chunks);
        assertEquals(1, out.size(), () -> "got " + out);
        assertInstanceOf(ProtocolException.class, out.get(0));
    }

    // ---------------------------------------------------------------- bugs

    @Test
    void minusZeroCountIsInvalid() {
        assertProtocolError(RespLimits.defaults(), true, "*-0\r\n", "Protocol error: invalid multibulk length");
    }

    @Test
    void minusZeroBulkLengthIsInvalid() {
        assertProtocolError(RespLimits.defaults(), true, "*1\r\n$-0\r\n\r\n", "Protocol error: invalid bulk length");
    }

    // ---------------------------------------------------------------- helpers

    private EmbeddedChannel channel(RespLimits limits, boolean authenticated) {
        EmbeddedChannel ch = new EmbeddedChannel(new RespRequestDecoder(limits, authenticated));
        ch.config().setAllocator(ALLOC); // inline requests and cumulation copies come from here
        channels.add(ch);
        return ch;
    }

    private ByteBuf buf(byte[] bytes) {
        ByteBuf b = ALLOC.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes);
        tracked.add(b);
        return b;
    }

    /**
     * Writes each chunk, reading and releasing everything emitted after each write; finishes the channel and
     * asserts nothing was left pending and every input buffer and frame has been released.
     */
    private List<Object> feed(EmbeddedChannel ch, List<byte[]> chunks) {
        int first = tracked.size();
        List<Object> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ch.writeInbound(buf(chunk));
            drain(ch, out);
        }
        assertFalse(ch.finish(), "nothing may be left pending when the channel closes");
        for (ByteBuf b : tracked.subList(first, tracked.size())) {
            assertEquals(0, b.refCnt(), "not released: " + b);
        }
        return out;
    }

    private void drain(EmbeddedChannel ch, List<Object> out) {
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof RespRequest r) {
                List<byte[]> args = new ArrayList<>();
                for (int i = 0; i < r.argc(); i++) {
                    args.add(r.argBytes(i));
                    assertArrayEquals(r.argBytes(i), ByteBufUtil.getBytes(r.arg(i)));
                }
                byte[] frame = ByteBufUtil.getBytes(r.frame());
                tracked.add(r.frame());
                r.release();
                out.add(new Decoded(args, frame));
            } else if (msg instanceof ProtocolException e) {
                out.add(e);
            } else {
                fail("unexpected message " + msg);
            }
        }
    }

    private void assertDecodesTo(Fixture f, List<byte[]> chunks) {
        List<Object> out = feed(channel(RespLimits.defaults(), true), chunks);
        List<Segment> expected = f.segments().stream().filter(s -> s.args() != null).collect(Collectors.toList());
        assertEquals(expected.size(), out.size(), () -> "requests from " + f + " in " + chunks.size() + " chunks");
        for (int i = 0; i < expected.size(); i++) {
            Segment s = expected.get(i);
            Object o = out.get(i);
            if (!(o instanceof Decoded d)) {
                fail("request " + i + " of " + f + ": got " + o);
                return;
            }
            String where = f + " request " + i + " (" + chunks.size() + " chunks)";
            assertEquals(s.args().size(), d.args().size(), where + ": argc");
            for (int a = 0; a < s.args().size(); a++) {
                assertArrayEquals(s.args().get(a), d.args().get(a), where + ": argument " + a);
            }
            // multibulk: forwarded exactly as received; inline: re-encoded as multibulk
            byte[] frame = s.multibulk() ? s.raw() : multibulk(s.args());
            assertArrayEquals(frame, d.frame(), where + ": frame bytes");
        }
    }

    private static byte[] multibulk(List<byte[]> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(latin1("*" + args.size() + "\r\n"));
        for (byte[] a : args) {
            out.writeBytes(latin1("$" + a.length + "\r\n"));
            out.writeBytes(a);
            out.writeBytes(latin1("\r\n"));
        }
        return out.toByteArray();
    }

    private void assertProtocolError(RespLimits limits, boolean authenticated, String input, String message) {
        EmbeddedChannel ch = channel(limits, authenticated);
        List<Object> out = feed(ch, List.of(latin1(input), latin1("*1\r\n$4\r\nPING\r\nPING\r\n")));
        assertEquals(1, out.size(), () -> "expected exactly one error and nothing after it, got " + out);
        assertEquals(message, assertInstanceOf(ProtocolException.class, out.get(0)).getMessage());
    }
}
