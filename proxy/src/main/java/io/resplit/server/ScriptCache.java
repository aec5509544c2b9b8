package io.resplit.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Script bodies the proxy has seen (SCRIPT LOAD, EVAL, EVAL_RO), by SHA1, so that an EVALSHA that reaches a node
 * lacking the script (a replica, a restarted node, a new master) can load it there and run again instead of
 * surfacing NOSCRIPT. Bounded by total body size; least recently used bodies go first. Thread-safe.
 */
final class ScriptCache {
    /** Total size of cached script bodies. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    private final Cache<String, byte[]> bodies = Caffeine.newBuilder()
            .maximumWeight(MAX_BYTES)
            .weigher((String sha, byte[] body) -> body.length + sha.length())
            .build();

    /** Remembers a body; returns its SHA1 in Redis's form (40 lower-case hex digits). */
    String remember(byte[] body) {
        String sha = sha1(body);
        bodies.put(sha, body);
        return sha;
    }

    /** The body for a SHA1 (any case), or null. */
    byte[] body(String sha) {
        return bodies.getIfPresent(sha.toLowerCase(java.util.Locale.ROOT));
    }

    /** {@code SCRIPT LOAD body}, to send ahead of a call on a node that lacked the script. */
    static io.netty.buffer.ByteBuf loadRequest(io.netty.buffer.ByteBufAllocator alloc, byte[] body) {
        return io.resplit.resp.RespRequest.of(alloc, "SCRIPT".getBytes(StandardCharsets.US_ASCII),
                "LOAD".getBytes(StandardCharsets.US_ASCII), body).frame();
    }

    void clear() {
        bodies.invalidateAll();
    }

    static String sha1(byte[] body) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(body);
            StringBuilder hex = new StringBuilder(40);
            for (byte b : d) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
