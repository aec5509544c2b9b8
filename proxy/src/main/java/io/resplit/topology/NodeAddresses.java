package io.resplit.topology;

import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import java.util.List;

/** Which node an address names: the same host and port, loopback addresses counting as one host. */
final class NodeAddresses {
    private NodeAddresses() {
    }

    /** The node among {@code nodes} at {@code address}, or null. */
    static BackendNode find(List<BackendNode> nodes, HostPort address) {
        for (BackendNode n : nodes) {
            if (sameNode(n.address(), address)) {
                return n;
            }
        }
        return null;
    }

    /** Whether two addresses name one node (loopback addresses count as one host). */
    static boolean sameNode(HostPort a, HostPort b) {
        return a.equals(b) || (a.port() == b.port() && sameHost(a.host(), b.host()));
    }

    private static boolean sameHost(String a, String b) {
        return a.equalsIgnoreCase(b) || (isLoopback(a) && isLoopback(b));
    }

    private static boolean isLoopback(String h) {
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }
}
