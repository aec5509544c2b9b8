package io.resplit.slowlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlowLogArgsTest {
    private static List<String> shorten(String... args) {
        byte[][] bytes = Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        List<byte[]> out = SlowLogArgs.of(new SlowLogArgs.Source() {
            @Override
            public int argc() {
                return bytes.length;
            }

            @Override
            public int length(int i) {
                return bytes[i].length;
            }

            @Override
            public byte[] prefix(int i, int n) {
                return Arrays.copyOf(bytes[i], n);
            }
        });
        return out.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void shortRequestsAreKeptAsTheyAre() {
        assertEquals(List.of("SET", "k", "v"), shorten("SET", "k", "v"));
    }

    @Test
    void moreThan32ArgumentsKeep31AndSayHowManyMore() {
        List<String> args = new ArrayList<>(List.of("DEL"));
        for (int i = 0; i < 39; i++) {
            args.add("k" + i);
        }
        List<String> out = shorten(args.toArray(String[]::new));
        assertEquals(32, out.size());
        assertEquals("k29", out.get(30));
        assertEquals("... (9 more arguments)", out.get(31));
    }

    @Test
    void exactly32ArgumentsAreAllKept() {
        String[] args = new String[32];
        Arrays.fill(args, "x");
        assertEquals(32, shorten(args).size());
        assertEquals("x", shorten(args).get(31));
    }

    @Test
    void longArgumentsKeep128BytesAndSayHowManyMore() {
        String big = "v".repeat(1000);
        List<String> out = shorten("SET", "k", big);
        assertEquals("v".repeat(128) + "... (872 more bytes)", out.get(2));
        assertEquals("v".repeat(128), shorten("SET", "k", "v".repeat(128)).get(2));
    }

    @Test
    void passwordsAreRedacted() {
        assertEquals(List.of("MIGRATE", "h", "1", "k", "0", "10", "AUTH", "(redacted)"),
                shorten("MIGRATE", "h", "1", "k", "0", "10", "AUTH", "pw"));
        assertEquals(List.of("migrate", "h", "1", "", "0", "10", "auth2", "(redacted)", "(redacted)", "KEYS", "a"),
                shorten("migrate", "h", "1", "", "0", "10", "auth2", "user", "pw", "KEYS", "a"));
        assertEquals(List.of("CONFIG", "SET", "masterauth", "(redacted)", "maxmemory", "1gb"),
                shorten("CONFIG", "SET", "masterauth", "pw", "maxmemory", "1gb"));
        assertEquals(List.of("ACL", "SETUSER", "app", "(redacted)", "(redacted)", "(redacted)", "(redacted)"),
                shorten("ACL", "SETUSER", "app", "on", ">pw", "#abcd", "~*"));
        assertEquals(List.of("CONFIG", "SET", "tls-client-key-file-pass", "(redacted)"),
                shorten("CONFIG", "SET", "tls-client-key-file-pass", "pw"), "long setting names are read too");
    }
}
