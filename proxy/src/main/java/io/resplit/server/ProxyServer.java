package io.resplit.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import io.resplit.config.ProxyConfig;
import io.resplit.net.OpenChannels;
import io.resplit.net.Transport;
import io.resplit.resp.RespRequestDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing listeners: binds every {@code bind} address on {@code port} and on {@code tls-port} (TLS
 * first in the pipeline), enforces {@code maxclients}, and gives each connection a decoder and a
 * {@link ClientHandler} on the loop it was accepted onto.
 */
public final class ProxyServer {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final ProxyContext ctx;
    private final LocalCommands local;
    private final TransactionCommands transactions = new TransactionCommands();
    private final ScriptCommands scripts = new ScriptCommands();
    private final List<Channel> listeners = new ArrayList<>();
    private int tlsPort;

    public ProxyServer(ProxyContext ctx) {
        this.ctx = ctx;
        this.local = new LocalCommands(ctx);
    }

    /**
     * Binds {@code port} (plaintext, unless 0) and {@code tls-port} (TLS, unless 0) on every {@code bind}
     * address; returns the plaintext port bound, 0 when there is none. Every accepted connection is tracked in
     * {@code open} until it closes.
     */
    public int start(Transport transport, EventLoopGroup boss, EventLoopGroup workers, OpenChannels open)
            throws InterruptedException {
        ProxyConfig config = ctx.runtime().config(); // ports and addresses are fixed at start
        int plain = config.port();
        if (plain > 0) {
            bindAll(bootstrap(transport, boss, workers, open, false), plain, config.bind(), "clients");
        }
        if (config.tls().clientSide()) {
            tlsPort = bindAll(bootstrap(transport, boss, workers, open, true), config.tls().port(), config.bind(),
                    "TLS clients");
        }
        ctx.onStopAccepting(this::stop);
        return plain;
    }

    /** The TLS port bound, 0 when there is none. */
    public int tlsPort() {
        return tlsPort;
    }

    private ServerBootstrap bootstrap(Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                                      OpenChannels open, boolean tls) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        open.add(ch);
                        if (tls) {
                            // first in the pipeline: the context of the moment, so RELOAD's new certificates
                            // serve new connections while open ones keep theirs
                            ch.pipeline().addLast(ctx.tls().newServerHandler(ch.alloc()));
                        }
                        if (!ctx.clients().tryAdmit()) {
                            ch.writeAndFlush(Replies.maxClients()).addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        RuntimeSnapshot now = ctx.runtime();
                        // the small limits before login apply unless the default user needs no password
                        RespRequestDecoder decoder =
                                new RespRequestDecoder(ctx.limits(), now.acl().defaultUser().nopass());
                        if (now.config().timeoutSeconds() > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, now.config().timeoutSeconds(),
                                    TimeUnit.SECONDS));
                        }
                        ch.pipeline().addLast(decoder, new ClientHandler(ctx, decoder, local, transactions, scripts));
                    }
                });
    }

    /** Binds {@code port} on every bind address; returns the port bound. */
    private int bindAll(ServerBootstrap b, int port, List<String> bind, String what)
            throws InterruptedException {
        int bound = 0;
        for (String address : bind) {
            boolean optional = address.startsWith("-");
            String host = optional ? address.substring(1) : address;
            try {
                Channel ch = b.bind(new InetSocketAddress(host, port)).sync().channel();
                listeners.add(ch);
                bound = ((InetSocketAddress) ch.localAddress()).getPort();
                log.info("accepting {} on {}", what, ch.localAddress());
            } catch (Exception e) {
                if (!optional) {
                    throw new IllegalStateException("could not bind " + host + ":" + port + ": " + e.getMessage(), e);
                }
                log.warn("could not bind optional address {}:{}: {}", host, port, e.getMessage());
            }
        }
        if (bound == 0) {
            throw new IllegalStateException("no bind address could be bound for " + what + " on port " + port);
        }
        return bound;
    }

    /** Stops accepting; existing connections stay (the proxy's stop closes them). */
    public void stop() {
        listeners.forEach(Channel::close);
    }
}
