package io.resplit.backend;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import io.resplit.config.HostPort;
import java.io.IOException;
import java.net.Socket;

/**
 * TLS towards the backends ({@code tls-backends yes}), for both kinds of connection the proxy opens: the event
 * loops' pipelined connections and the blocking control-plane sockets. Implementations pick up rotated
 * certificates for new connections.
 */
public interface BackendTls {
    /** A handler that runs the TLS handshake first on a new backend channel to {@code address}. */
    SslHandler newHandler(ByteBufAllocator alloc, HostPort address);

    /** Layers TLS over a connected plain socket and completes the handshake (blocking). */
    Socket wrap(Socket plain, HostPort address) throws IOException;
}
