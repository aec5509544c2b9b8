package io.resplit.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.resplit.config.OutputBufferLimits;
import java.util.concurrent.TimeUnit;

/**
 * {@code client-output-buffer-limit} for one client: the replies that wait for it (in the channel's outbound
 * buffer, and completed behind an earlier one still in flight) are measured whenever more are written, and a
 * client above the hard limit, or above the soft limit for longer than its time, is closed, as Redis closes it.
 * Costs one flag test per write while the client's class has no limit (normal clients, by default).
 */
final class OutputBufferGuard {
    private final ProxyContext ctx;
    private long softSinceNanos; // when the client went above the soft limit; 0 while below

    OutputBufferGuard(ProxyContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Whether the client must be closed now, given {@code heldBytes} of completed replies not yet handed to the
     * channel; {@code pubsub}: the client is subscribed (the pubsub class).
     */
    boolean overLimit(Channel channel, long heldBytes, boolean pubsub) {
        OutputBufferLimits limits = ctx.runtime().config().outputBufferLimits();
        OutputBufferLimits.Limit limit = pubsub ? limits.pubsub() : limits.normal();
        if (!limit.any()) {
            return false;
        }
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        long pending = heldBytes + (out == null ? 0 : out.totalPendingWriteBytes());
        if (limit.hard() > 0 && pending >= limit.hard()) {
            return true;
        }
        if (limit.soft() > 0 && pending >= limit.soft()) {
            long now = System.nanoTime();
            if (softSinceNanos == 0) {
                softSinceNanos = now;
                return false;
            }
            return now - softSinceNanos >= TimeUnit.SECONDS.toNanos(limit.softSeconds());
        }
        softSinceNanos = 0;
        return false;
    }

    /** What {@link #overLimit} measured against, for the log line. */
    String describe(boolean pubsub) {
        OutputBufferLimits limits = ctx.runtime().config().outputBufferLimits();
        return (pubsub ? "pubsub " : "normal ") + (pubsub ? limits.pubsub() : limits.normal());
    }
}
