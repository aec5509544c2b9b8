package io.resplit.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Ascii#parseLong} against Redis's {@code string2ll} (util.c), and inline request splitting against
 * Redis's {@code sdssplitargs} (sds.c), both directly and through {@link RespRequestDecoder}.
 */
class InlineAndAsciiTest {

    // ---------------------------------------------------------------- Ascii.parseLong

    /** Parses {@code s} placed in the middle of other digits, so that off/len are honoured. */
    private static Long parse(String s) {
        byte[] body = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes("99".getBytes(StandardCharsets.US_ASCII)).writeBytes(body).writeBytes(
                "77".getBytes(StandardCharsets.US_ASCII));
        try {
            return Ascii.parseLong(buf, 2, body.length);
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1, 1",
        "-1, -1",
        "10, 10",
        "100, 100",
        "1024, 1024",
        "9999, 9999",
        "-100, -100",
        "10000, 10000",
        "1234567890, 1234567890",
        "-1234567890, -1234567890",
        "9223372036854775807, 9223372036854775807",
        "-9223372036854775808, -9223372036854775808",
        "9223372036854775806, 9223372036854775806",
        "-9223372036854775807, -9223372036854775807",
    })
    void parsesWhatString2llAccepts(String text, long expected) {
        assertEquals(expected, parse(text));
    }

    @Test
    void longExtremes() {
        assertEquals(Long.MAX_VALUE, parse(Long.toString(Long.MAX_VALUE)));
        assertEquals(Long.MIN_VALUE, parse(Long.toString(Long.MIN_VALUE)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                       // empty
        "-",                      // sign only
        "+1",                     // no plus sign
        "01",                     // leading zero
        "00",
        "-01",
        "007",
        "0100",
        "10a4",
        "1 00",
        "12-",
        "123:",
        " 1",                     // no spaces
        "1 ",
        "1a",
        "a",
        "1.0",
        "1e3",
        "0x10",
        "--1",
        "9223372036854775808",    // Long.MAX + 1
        "-9223372036854775809",   // Long.MIN - 1
        "18446744073709551616",
        "99999999999999999999",   // 20 digits, too big
        "123456789012345678901",  // 21 characters: over Redis's LONG_STR_SIZE
    })
    void rejectsWhatString2llRejects(String text) {
        assertNull(parse(text), () -> "'" + text + "' must not parse");
    }

    @Test
    void nonAsciiBytesAreNotDigits() {
        assertNull(parse("1\u00b2"));
        assertNull(parse("\u00b9"));
    }

    /**
     * Redis's string2ll: after an optional '-', the first digit must be 1-9 (the lone "0" is special-cased before
     * the sign is looked at), so "-0" is not a number. The code currently returns 0 for "-0".
     */
    @Test
    void minusZeroIsRejectedLikeString2ll() {
        assertNull(parse("-0"));
        assertNull(parse("-00"));
    }

    @Test
    void argLongUsesTheSameRules() {
        RespRequest r = RespRequest.of(UnpooledByteBufAllocator.DEFAULT, "INCRBY", "k", "-42", "+1", "007");
        try {
            assertEquals(-42L, r.argLong(2));
            assertNull(r.argLong(3));
            assertNull(r.argLong(4));
            assertNull(r.argLong(0));
        } finally {
            r.release();
        }
        assertEquals(0, r.bytes().refCnt());
    }

    @Test
    void toLowerOnlyFoldsAsciiLetters() {
        assertEquals('a', Ascii.toLower((byte) 'A'));
        assertEquals('z', Ascii.toLower((byte) 'Z'));
        assertEquals('a', Ascii.toLower((byte) 'a'));
        assertEquals('@', Ascii.toLower((byte) '@'));
        assertEquals('[', Ascii.toLower((byte) '['));
        assertEquals((byte) 0xC9, (byte) Ascii.toLower((byte) 0xC9)); // 'É' in Latin-1 stays
    }

    // ---------------------------------------------------------------- SdsSplitArgs (sdssplitargs)

    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        List<byte[]> args = io.resplit.util.SdsSplitArgs.split(line.getBytes(StandardCharsets.ISO_8859_1));
        if (args == null) {
            throw new ProtocolException("Protocol error: unbalanced quotes in request");
        }
        for (byte[] a : args) {
            out.add(new String(a, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    @Test
    void splitsOnBlanks() {
        assertEquals(List.of("SET", "k", "v"), split("SET k v"));
        assertEquals(List.of("SET", "k", "v"), split("  SET\t\tk   v  "));
        assertEquals(List.of(), split(""));
        assertEquals(List.of(), split("   \t "));
    }

    @Test
    void doubleQuotesTakeCEscapes() {
        assertEquals(List.of("SET", "k", "A\n"), split("SET k \"\\x41\\n\""));
        assertEquals(List.of("\r\t\b\u0007"), split("\"\\r\\t\\b\\a\""));
        assertEquals(List.of("\u00ff\u0000"), split("\"\\xff\\x00\""));
        assertEquals(List.of("JK"), split("\"\\x4a\\x4B\""));
        assertEquals(List.of("xZZ"), split("\"\\xZZ\""), "an invalid hex escape is just an escaped 'x'");
        assertEquals(List.of("x4"), split("\"\\x4\""));
        assertEquals(List.of("q\"\\"), split("\"\\q\\\"\\\\\""), "unknown escapes keep the character");
        assertEquals(List.of("a b", "c"), split("\"a b\" c"));
        assertEquals(List.of(""), split("\"\""));
    }

    @Test
    void singleQuotesOnlyEscapeTheQuote() {
        assertEquals(List.of("it's"), split("'it\\'s'"));
        assertEquals(List.of("a\\nb"), split("'a\\nb'"));
        assertEquals(List.of("\\x41"), split("'\\x41'"));
        assertEquals(List.of("a \"b\""), split("'a \"b\"'"));
        assertEquals(List.of(""), split("''"));
    }

    @Test
    void quotesMayStartInsideAToken() {
        // sdssplitargs switches to quoted mode mid-token and keeps appending to the same argument
        assertEquals(List.of("SET", "k", "vq q"), split("SET k v\"q q\""));
        assertEquals(List.of("ab c"), split("a'b c'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SET k \"abc",
        "SET k 'abc",
        "SET k \"a\"b",
        "SET k 'a'b",
        "SET k \"abc\\",
        "SET k \"abc\\\"",
        "\"",
        "'",
    })
    void unbalancedQuotes(String line) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> split(line));
        assertEquals("Protocol error: unbalanced quotes in request", e.getMessage());
    }

    @Test
    void closingQuoteMayBeFollowedByAnyBlank() {
        assertEquals(List.of("a", "b"), split("\"a\"\tb"));
        assertEquals(List.of("a", "b"), split("'a'\u000bb"));
    }

    /**
     * In sdssplitargs an unquoted token ends only at ' ', '\n', '\r', '\t' or NUL; '\v' and '\f' are skipped
     * between tokens (isspace) but belong to a token once it has started. The splitter must not end tokens at them.
     */
    @Test
    void verticalTabAndFormFeedDoNotEndAnUnquotedToken() {
        assertEquals(List.of("a\u000bb"), split("a\u000bb"));
        assertEquals(List.of("a\fb", "c"), split("a\fb c"));
    }

    // ---------------------------------------------------------------- through the decoder

    private static List<Object> decode(String wire) {
        EmbeddedChannel ch = new EmbeddedChannel(new RespRequestDecoder(RespLimits.defaults(), true));
        ch.config().setAllocator(UnpooledByteBufAllocator.DEFAULT);
        ByteBuf in = UnpooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(
                wire.getBytes(StandardCharsets.ISO_8859_1));
        ch.writeInbound(in);
        List<Object> out = new ArrayList<>();
        List<ByteBuf> frames = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof RespRequest r) {
                List<String> args = new ArrayList<>();
                for (int i = 0; i < r.argc(); i++) {
                    args.add(new String(r.argBytes(i), StandardCharsets.ISO_8859_1));
                }
                frames.add(r.frame());
                r.release();
                out.add(args);
            } else {
                out.add(msg);
            }
        }
        assertFalse(ch.finish());
        assertEquals(0, in.refCnt());
        frames.forEach(f -> assertEquals(0, f.refCnt()));
        return out;
    }

    @Test
    void decoderSplitsInlineRequests() {
        assertEquals(List.of(List.of("SET", "k", "A\n"), List.of("SET", "it's", "a\\nb"), List.of("PING")),
                decode("SET k \"\\x41\\n\"\r\nSET 'it\\'s' 'a\\nb'\r\n\r\n  \t \r\nPING\n"));
    }

    @Test
    void inlineLineEndsAtTheFirstNewlineAndOneCarriageReturnIsDropped() {
        // "a\rb" before the \n: the \r inside separates arguments, like in sdssplitargs
        assertEquals(List.of(List.of("ECHO", "a", "b")), decode("ECHO a\rb\r\n"));
        assertEquals(List.of(List.of("ECHO", "x")), decode("ECHO x\r\r\n"));
    }

    @Test
    void unbalancedInlineRequestThroughTheDecoder() {
        List<Object> out = decode("PING\r\nSET k \"abc\r\nPING\r\n");
        assertEquals(2, out.size());
        assertEquals(List.of("PING"), out.get(0));
        assertEquals("Protocol error: unbalanced quotes in request",
                assertInstanceOf(ProtocolException.class, out.get(1)).getMessage());
    }

    @Test
    void inlineArgumentsAreReEncodedAsMultibulk() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespRequestDecoder(RespLimits.defaults(), true));
        ch.writeInbound(Unpooled.copiedBuffer("SET k \"a b\"\r\n", StandardCharsets.US_ASCII));
        RespRequest r = ch.readInbound();
        assertArrayEquals("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\n".getBytes(StandardCharsets.US_ASCII),
                io.netty.buffer.ByteBufUtil.getBytes(r.frame()));
        r.release();
        assertEquals(0, r.bytes().refCnt());
        assertFalse(ch.finish());
    }
}
