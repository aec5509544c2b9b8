package io.resplit.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;

/**
 * The I/O transport ({@code io-transport}): native epoll, io_uring (Linux 5.9+: socket reads and writes of a
 * loop turn submitted to the kernel together), or the JDK's NIO. {@code auto} takes the first of io_uring,
 * epoll and NIO that loads here.
 */
public final class Transport {
    /** The transports, by their {@code io-transport} names. */
    public enum Kind { EPOLL, IO_URING, NIO }

    private final Kind kind;
    private final boolean auto; // chosen by io-transport auto, not named

    private Transport(Kind kind) {
        this(kind, false);
    }

    private Transport(Kind kind, boolean auto) {
        this.kind = kind;
        this.auto = auto;
    }

    /**
     * io_uring where the kernel allows it, else epoll, else NIO. io_uring measured 8–29 % less CPU per request
     * than epoll in four side-by-side runs, at 0.91–1.11x its requests per second (docs/benchmarks.md). Where a
     * seccomp profile (Docker's default) or {@code kernel.io_uring_disabled} forbids it, epoll runs.
     */
    public static Transport best() {
        if (IoUring.isAvailable()) {
            return new Transport(Kind.IO_URING, true);
        }
        return withoutIoUring();
    }

    private static Transport withoutIoUring() {
        return new Transport(Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO, true);
    }

    /**
     * What {@code auto} takes when its io_uring event loops cannot start (io_uring loads, but a ring of the
     * loops' size is refused: on kernels before 5.12 the rings count against RLIMIT_MEMLOCK, 64 KiB by default
     * there): epoll, else NIO. Null when io_uring was named, or not chosen: then the failure stops the start.
     */
    public Transport fallback() {
        return auto && kind == Kind.IO_URING ? withoutIoUring() : null;
    }

    /**
     * The transport {@code io-transport} names: {@code auto}, {@code epoll}, {@code io_uring} or {@code nio}.
     * A native transport asked for by name that cannot load is an error that says why, not a silent fallback.
     */
    public static Transport named(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "auto":
                return best();
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("io-transport epoll: unavailable here ("
                            + Epoll.unavailabilityCause() + ")");
                }
                return new Transport(Kind.EPOLL);
            case "io_uring":
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("io-transport io_uring: unavailable here ("
                            + IoUring.unavailabilityCause() + ")");
                }
                return new Transport(Kind.IO_URING);
            case "nio":
                return new Transport(Kind.NIO);
            default:
                throw new IllegalArgumentException("io-transport must be auto, epoll, io_uring or nio: " + name);
        }
    }

    public String name() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = switch (kind) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, false), factory);
    }

    public Class<? extends SocketChannel> socketChannel() {
        return switch (kind) {
            case EPOLL -> EpollSocketChannel.class;
            case IO_URING -> IoUringSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    /** The server channel for a unix domain socket (the admin socket); null for NIO, which has none here. */
    public Class<? extends ServerChannel> serverDomainSocketChannel() {
        return switch (kind) {
            case EPOLL -> EpollServerDomainSocketChannel.class;
            case IO_URING -> IoUringServerDomainSocketChannel.class;
            case NIO -> null;
        };
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return switch (kind) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }
}
