package io.resplit.slowlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request's arguments as the slow log keeps them, shortened the way Redis shortens them (at most 32 arguments,
 * the last saying how many more there were; at most 128 bytes an argument, then how many more there were), with
 * passwords replaced by {@code (redacted)}.
 */
public final class SlowLogArgs {
    static final int MAX_ARGC = 32;
    static final int MAX_BYTES = 128;
    private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);

    /** The request's arguments, read without copying more than {@link #MAX_BYTES} of any one. */
    public interface Source {
        int argc();

        int length(int i);

        /** The first {@code n} bytes of argument {@code i}. */
        byte[] prefix(int i, int n);
    }

    private SlowLogArgs() {
    }

    public static List<byte[]> of(Source r) {
        int argc = r.argc();
        int kept = Math.min(argc, MAX_ARGC);
        boolean[] secret = secrets(r);
        List<byte[]> out = new ArrayList<>(kept);
        for (int i = 0; i < kept; i++) {
            if (kept != argc && i == kept - 1) {
                out.add(ascii("... (" + (argc - kept + 1) + " more arguments)"));
            } else if (secret[i]) {
                out.add(REDACTED);
            } else {
                out.add(shortened(r, i));
            }
        }
        return out;
    }

    private static byte[] shortened(Source r, int i) {
        int len = r.length(i);
        if (len <= MAX_BYTES) {
            return r.prefix(i, len);
        }
        byte[] head = r.prefix(i, MAX_BYTES);
        byte[] tail = ascii("... (" + (len - MAX_BYTES) + " more bytes)");
        byte[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    /**
     * Which arguments are passwords. The commands that carry one to a backend (AUTH and HELLO never do: the
     * proxy answers them) are MIGRATE (AUTH password, AUTH2 user password), CONFIG SET of a setting whose name
     * holds "pass" or "auth" (masterauth, requirepass, tls-key-file-pass, ...), and ACL SETUSER (every rule); only
     * these three are looked at, here and nowhere else.
     */
    private static boolean[] secrets(Source r) {
        int argc = r.argc();
        boolean[] secret = new boolean[argc];
        String cmd = word(r, 0);
        if (cmd.equals("migrate")) {
            for (int i = 1; i < argc; i++) {
                String w = word(r, i);
                int n = w.equals("auth") ? 1 : w.equals("auth2") ? 2 : 0;
                for (int k = 1; k <= n && i + k < argc; k++) {
                    secret[i + k] = true;
                }
            }
        } else if (cmd.equals("config") && argc > 1 && word(r, 1).equals("set")) {
            for (int i = 2; i + 1 < argc; i += 2) {
                String name = word(r, i);
                secret[i + 1] = name.contains("pass") || name.contains("auth");
            }
        } else if (cmd.equals("acl") && argc > 1 && word(r, 1).equals("setuser")) {
            for (int i = 3; i < argc; i++) {
                secret[i] = true; // every rule, as Redis does: password rules need not start the argument
            }
        }
        return secret;
    }

    /**
     * A short argument in lower case (enough to recognise a keyword or a config name such as
     * {@code tls-client-key-file-pass}), or "" for a long one.
     */
    private static String word(Source r, int i) {
        int len = r.length(i);
        return len > 64 ? "" : new String(r.prefix(i, len), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
