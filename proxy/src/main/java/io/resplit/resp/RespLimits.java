package io.resplit.resp;

/**
 * Bounds on what one client may make the proxy buffer. Mirrors redis.conf's {@code proto-max-bulk-len} and
 * {@code client-query-buffer-limit}, plus the fixed limits Redis applies before a client has authenticated.
 *
 * @param protoMaxBulkLen        largest bulk argument accepted, in bytes
 * @param queryBufferLimit       largest incomplete request a client may leave buffered, in bytes
 */
public record RespLimits(long protoMaxBulkLen, long queryBufferLimit) {
    /** Longest inline request or header line without a newline (Redis's PROTO_INLINE_MAX_SIZE). */
    public static final int INLINE_MAX = 64 * 1024;
    /** Redis refuses larger multibulk counts from clients that have not authenticated yet. */
    public static final int UNAUTHENTICATED_MAX_ARGS = 10;
    /** Redis refuses larger bulk arguments from clients that have not authenticated yet. */
    public static final int UNAUTHENTICATED_MAX_BULK = 16384;

    public static RespLimits defaults() {
        return new RespLimits(512L * 1024 * 1024, 1024L * 1024 * 1024);
    }
}
