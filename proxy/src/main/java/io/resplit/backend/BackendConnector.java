package io.resplit.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.resplit.net.OpenChannels;
import io.resplit.net.Transport;
import io.resplit.resp.RespReplyDecoder;

/** Opens backend connections on a given event loop, each starting with the {@link Handshake}. */
public final class BackendConnector {
    private final Transport transport;
    private final BackendCredentials credentials;
    private final int connectTimeoutMs;
    // one sequence for the health checks of all nodes: a read-your-writes fence taken on one master stays
    // meaningful when another node becomes master
    private final java.util.concurrent.atomic.AtomicLong sampleSeq = new java.util.concurrent.atomic.AtomicLong();

    private final WriteAck writeAck; // null unless write-ack-replicas is set
    private final boolean cluster;   // every connection sends READONLY: replicas of a cluster serve reads
    private final OpenChannels open;

    public BackendConnector(Transport transport, BackendCredentials credentials, int connectTimeoutMs) {
        this(transport, credentials, connectTimeoutMs, null);
    }

    public BackendConnector(Transport transport, BackendCredentials credentials, int connectTimeoutMs,
                            WriteAck writeAck) {
        this(transport, credentials, connectTimeoutMs, writeAck, false, new OpenChannels());
    }

    /**
     * @param cluster the backends are Redis Cluster nodes: connections are put in READONLY mode
     * @param open    where every connection opened is tracked until it closes
     */
    public BackendConnector(Transport transport, BackendCredentials credentials, int connectTimeoutMs,
                            WriteAck writeAck, boolean cluster, OpenChannels open) {
        this.cluster = cluster;
        this.open = open;
        this.writeAck = writeAck;
        this.transport = transport;
        this.credentials = credentials;
        this.connectTimeoutMs = connectTimeoutMs;
    }

    java.util.concurrent.atomic.AtomicLong sampleSequence() {
        return sampleSeq;
    }

    BackendConnection open(BackendNode node, EventLoop loop, int protocol, int db, String clientName) {
        node.connectionOpened();
        BackendConnection conn = new BackendConnection(node, loop, protocol, db,
                !BackendNode.DEDICATED_CLIENT_NAME.equals(clientName), writeAck);
        Handshake handshake = new Handshake(credentials, clientName, cluster);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        open.add(ch);
                        RespReplyDecoder replies = new RespReplyDecoder();
                        if (credentials.tls() != null) {
                            // writes made before the handshake completes wait inside the SslHandler
                            ch.pipeline().addLast(credentials.tls().newHandler(ch.alloc(), node.address()));
                        }
                        ch.pipeline().addLast(replies, conn.handler(replies));
                    }
                });
        ChannelFuture f = bootstrap.connect(node.address().host(), node.address().port());
        f.addListener(done -> {
            if (done.isSuccess()) {
                conn.connected(f.channel(), handshake, connectTimeoutMs);
            } else {
                conn.close("cannot connect to " + node.address() + ": " + done.cause().getMessage());
            }
        });
        return conn;
    }
}
