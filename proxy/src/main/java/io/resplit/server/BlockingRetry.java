package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.command.BlockingTimeouts;
import io.resplit.resp.RespRequest;
import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;

/**
 * A blocking command released by a failover (its master became a replica) is re-issued on the new master with
 * the time it had left, not its whole timeout again.
 */
final class BlockingRetry {
    private BlockingRetry() {
    }

    /**
     * Rewrites {@code p}'s timeout argument to what is left of it; false when nothing is left (the client then
     * gets the reply of a timeout). A timeout of 0 (block forever) or one the proxy cannot find is kept.
     */
    static boolean shortenTimeout(PendingReply p, ByteBufAllocator alloc) {
        RespRequest r = p.request;
        BlockingTimeouts.Position at = BlockingTimeouts.of(p.spec, r);
        if (at == null) {
            return true;
        }
        BigDecimal timeout;
        try {
            timeout = new BigDecimal(r.argString(at.index()));
        } catch (NumberFormatException e) {
            return true; // the master will refuse it as it did before
        }
        if (timeout.signum() == 0) {
            return true;
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - p.blockedSince());
        BigDecimal left = at.millis() ? timeout.subtract(BigDecimal.valueOf(elapsedMs))
                : timeout.subtract(BigDecimal.valueOf(elapsedMs, 3));
        if (left.signum() <= 0) {
            return false;
        }
        byte[][] args = new byte[r.argc()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = i == at.index() ? left.toPlainString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)
                    : r.argBytes(i);
        }
        p.request = RespRequest.of(alloc, args);
        r.release();
        return true;
    }

    /** What Redis answers a blocking command that timed out: a null array (RESP2) or null (RESP3). */
    static ByteBuf timedOut(ByteBufAllocator alloc, int protocol) {
        return alloc.buffer(5).writeBytes((protocol >= 3 ? "_\r\n" : "*-1\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
