package io.resplit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out free TCP ports on the loopback interface for test servers.
 *
 * <p>A port is "free" when the kernel hands it to us for an ephemeral bind on 127.0.0.1. The
 * socket is closed again before the port is returned, so another process could still take it in
 * the gap; callers that start a server on the port must therefore detect a failed bind (see
 * {@link RedisServer}). Within this JVM the same port is never handed out twice, because two
 * servers of one test racing for the same port would fail in confusing ways.
 */
public final class FreePorts {

    private static final int MAX_ATTEMPTS = 100;

    /** Ports already given to a caller in this JVM; never returned again. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /**
     * Returns a TCP port on 127.0.0.1 that was free a moment ago and that this JVM has not handed
     * out before.
     *
     * @throws IllegalStateException if no such port is found after a number of attempts
     */
    public static int next() {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int port = bindEphemeral();
            // add() is the atomic claim: two threads that got the same port cannot both win it.
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException(
                "no unused loopback port found after " + MAX_ATTEMPTS + " attempts");
    }

    private static int bindEphemeral() {
        try (ServerSocket socket = new ServerSocket()) {
            // No SO_REUSEADDR: we want a port that is really unused, not one in TIME_WAIT.
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind an ephemeral port on 127.0.0.1", e);
        }
    }
}
