package io.resplit.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** One client connection described the way Redis's CLIENT LIST and CLIENT INFO describe theirs. */
final class ClientInfo {
    private ClientInfo() {
    }

    static String line(ClientHandler h) {
        ClientSession s = h.session();
        long now = System.currentTimeMillis();
        PubSubSession ps = h.pubsub();
        return "id=" + s.id()
                + " addr=" + addr(h)
                + " laddr=" + laddr(h)
                + " fd=-1"
                + " name=" + (s.name() == null ? "" : s.name())
                + " age=" + (now - h.createdMillis()) / 1000
                + " idle=" + (now - h.lastCommandMillis()) / 1000
                + " flags=" + flags(h)
                + " db=" + s.db()
                + " sub=" + (ps == null ? 0 : ps.count(Subscriptions.Kind.CHANNEL))
                + " psub=" + (ps == null ? 0 : ps.count(Subscriptions.Kind.PATTERN))
                + " ssub=" + (ps == null ? 0 : ps.count(Subscriptions.Kind.SHARD))
                + " multi=" + (s.inMulti() ? 0 : -1)
                + " cmd=" + h.lastCommand()
                + " user=" + h.session().userName()
                + " redir=-1"
                + " resp=" + s.protocol()
                + " lib-name=" + (s.libName() == null ? "" : s.libName())
                + " lib-ver=" + (s.libVersion() == null ? "" : s.libVersion());
    }

    /** Redis's client types: normal, pubsub (subscribed), and for MONITOR clients still "normal". */
    static String type(ClientHandler h) {
        return h.pubsub() != null && h.pubsub().subscribed() ? "pubsub" : "normal";
    }

    static String addr(ClientHandler h) {
        return format(h.channel().remoteAddress());
    }

    static String laddr(ClientHandler h) {
        return format(h.channel().localAddress());
    }

    private static String flags(ClientHandler h) {
        StringBuilder f = new StringBuilder();
        if (h.pubsub() != null && h.pubsub().subscribed()) {
            f.append('P');
        }
        if (h.session().inMulti()) {
            f.append('x');
        }
        if (h.monitoring()) {
            f.append('O');
        }
        return f.length() == 0 ? "N" : f.toString();
    }

    private static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress in) {
            String host = in.getAddress() == null ? in.getHostString() : in.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + in.getPort();
        }
        return String.valueOf(a);
    }
}
