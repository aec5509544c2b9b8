package io.resplit.acl;

/**
 * Redis's glob matching ({@code stringmatchlen}) over bytes: {@code *}, {@code ?}, {@code [abc]}, {@code [^a]},
 * {@code [a-z]} and backslash escapes, case-sensitive, as ACL key and channel patterns use it.
 */
final class Glob {
    private Glob() {
    }

    static boolean matches(byte[] pattern, byte[] s) {
        return match(pattern, 0, s, 0, 0);
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si, int depth) {
        if (depth > 1000) {
            return false; // a pathological pattern: refuse rather than recurse without end
        }
        while (pi < p.length) {
            byte c = p[pi];
            switch (c) {
                case '*' -> {
                    while (pi + 1 < p.length && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length) {
                        return true;
                    }
                    for (int k = si; k <= s.length; k++) {
                        if (match(p, pi + 1, s, k, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length) {
                        return false;
                    }
                    si++;
                }
                case '[' -> {
                    if (si >= s.length) {
                        return false;
                    }
                    pi++;
                    boolean not = pi < p.length && p[pi] == '^';
                    if (not) {
                        pi++;
                    }
                    boolean hit = false;
                    while (pi < p.length && p[pi] != ']') {
                        if (p[pi] == '\\' && pi + 1 < p.length) {
                            pi++;
                            hit |= p[pi] == s[si];
                        } else if (pi + 2 < p.length && p[pi + 1] == '-' && p[pi + 2] != ']') {
                            int lo = Math.min(p[pi] & 0xff, p[pi + 2] & 0xff);
                            int hi = Math.max(p[pi] & 0xff, p[pi + 2] & 0xff);
                            int v = s[si] & 0xff;
                            hit |= v >= lo && v <= hi;
                            pi += 2;
                        } else {
                            hit |= p[pi] == s[si];
                        }
                        pi++;
                    }
                    if (hit == not) {
                        return false;
                    }
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length) {
                        pi++;
                    }
                    if (si >= s.length || p[pi] != s[si]) {
                        return false;
                    }
                    si++;
                }
                default -> {
                    if (si >= s.length || c != s[si]) {
                        return false;
                    }
                    si++;
                }
            }
            pi++;
        }
        return si == s.length;
    }
}
