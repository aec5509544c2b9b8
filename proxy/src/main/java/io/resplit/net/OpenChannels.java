package io.resplit.net;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The connections open now (clients, backends, the admin console), so that a stop can close them while the
 * event loops still run. Left to the loops' own shutdown, a connection closed by a stopping loop may hand work
 * (failing the requests it carried, releasing their buffers) to another loop that has stopped already, and
 * io_uring's channels wait for their cancelled receives; a loop that reaches its shutdown timeout first drops
 * what it holds.
 */
public final class OpenChannels {
    private final ChannelGroup channels = new DefaultChannelGroup("resplit", GlobalEventExecutor.INSTANCE);

    /** Tracks {@code channel} until it closes (it leaves the set by itself then). */
    public void add(Channel channel) {
        channels.add(channel);
    }

    public int size() {
        return channels.size();
    }

    /**
     * Closes every open connection, the accepted ones first, then whatever is left, again until none is (a
     * backend connection closed under a live client would have its requests sent again on a new one); true
     * when all had closed within {@code timeoutMs}.
     */
    public boolean closeAll(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (!close(ch -> ch.parent() != null, deadline)) {
            return false;
        }
        while (!channels.isEmpty()) {
            if (!close(ch -> true, deadline)) {
                return false;
            }
        }
        return true;
    }

    private boolean close(Predicate<Channel> which, long deadline) {
        List<Channel> closing = new ArrayList<>();
        for (Channel ch : channels) {
            if (which.test(ch)) {
                closing.add(ch);
                try {
                    // on the channel's loop, in one task, so that nothing turns reading back on in between: an
                    // io_uring channel closes only once no receive is pending, which a busy connection that
                    // keeps reading never reaches
                    ch.eventLoop().execute(() -> {
                        ch.config().setAutoRead(false);
                        ch.close();
                    });
                } catch (RejectedExecutionException stopped) {
                    ch.close();
                }
            }
        }
        for (Channel ch : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left) + 1)) {
                return false;
            }
        }
        return true;
    }
}
