package io.resplit.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.resplit.config.ProxyConfig;
import io.resplit.net.OpenChannels;
import io.resplit.net.Transport;
import io.resplit.resp.RespLimits;
import io.resplit.resp.RespRequestDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for the admin console: on a Unix domain socket ({@code admin-socket}, mode 0600, so only its owner
 * can connect) and, when {@code admin-port} is set, on 127.0.0.1 with {@code admin-password}. Never on the
 * client port.
 */
public final class AdminServer {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final ProxyConfig config;
    private final AdminContext ctx;
    private final AdminCommands commands = new AdminCommands();
    // changes run one at a time; reads (STATUS, BACKENDS, ...) on their own thread, so they answer while a
    // FAILOVER is under way
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "resplit-admin");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService readExecutor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "resplit-admin-read");
        t.setDaemon(true);
        return t;
    });
    private final List<Channel> listeners = new ArrayList<>();

    public AdminServer(ProxyConfig config, io.resplit.server.ProxyContext proxy,
                       io.resplit.topology.FailoverCoordinator failover, Runnable shutdown,
                       java.util.function.Supplier<ProxyConfig> reread) {
        this.config = config;
        this.ctx = new AdminContext(proxy, failover, shutdown, new java.util.concurrent.atomic.AtomicLong(),
                new java.util.concurrent.atomic.AtomicLong(), reread);
    }

    /** Binds the console's socket and port on {@code group}; its connections are tracked in {@code open}. */
    public void start(Transport transport, EventLoopGroup group, OpenChannels open)
            throws InterruptedException, IOException {
        if (config.adminSocket() != null) {
            if (transport.serverDomainSocketChannel() == null) {
                log.warn("admin-socket {} needs a native transport (epoll or io_uring), not {}; use admin-port",
                        config.adminSocket(), transport.name());
            } else {
                Path path = Path.of(config.adminSocket());
                Files.deleteIfExists(path); // a socket file left by an earlier run
                Channel ch = bootstrap(group, open, null).channel(transport.serverDomainSocketChannel())
                        .bind(new DomainSocketAddress(path.toFile())).sync().channel();
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
                listeners.add(ch);
                log.info("admin console on unix socket {} (redis-cli -s {})", path, path);
            }
        }
        if (config.adminPort() > 0) {
            Channel ch = bootstrap(group, open, config.adminPassword()).channel(transport.serverChannel())
                    .bind(new InetSocketAddress("127.0.0.1", config.adminPort())).sync().channel();
            listeners.add(ch);
            log.info("admin console on 127.0.0.1:{} (password required)", config.adminPort());
        }
    }

    private ServerBootstrap bootstrap(EventLoopGroup group, OpenChannels open, String password) {
        return new ServerBootstrap().group(group).childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                open.add(ch);
                ch.pipeline().addLast(new RespRequestDecoder(RespLimits.defaults(), true),
                        new AdminHandler(commands, ctx, executor, readExecutor, password));
            }
        });
    }

    public void stop() {
        listeners.forEach(Channel::close);
        executor.shutdownNow();
        readExecutor.shutdownNow();
        if (config.adminSocket() != null) {
            try {
                Files.deleteIfExists(Path.of(config.adminSocket()));
            } catch (IOException e) {
                log.debug("could not remove {}", config.adminSocket(), e);
            }
        }
    }
}
