package io.resplit.net;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The client and backend connections open now, so that a stop can close them while the event loops still run.
 * Left to the loops' own shutdown, a connection closed by a stopping loop may hand work (failing the requests
 * it carried, releasing their buffers) to another loop that has stopped already, and io_uring's channels
 * wait for their cancelled receives; a loop that reaches its shutdown timeout first drops what it holds.
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
     * Stops reading from every open connection, then closes it; true when all had closed within
     * {@code timeoutMs}. Reading stops first because an io_uring channel closes only once no receive is
     * pending, and one that keeps reading a busy client's stream always has the next receive pending.
     */
    public boolean closeAll(long timeoutMs) {
        for (Channel channel : channels) {
            channel.config().setAutoRead(false);
        }
        return channels.close().awaitUninterruptibly(timeoutMs);
    }
}
