package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespValues;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import io.resplit.topology.Topology;
import java.util.Locale;

/** INFO: the master's own INFO, with a {@code # Proxy} section describing resplit appended. */
final class InfoCommand {
    private final ProxyContext ctx;

    InfoCommand(ProxyContext ctx) {
        this.ctx = ctx;
    }

    /** Sends INFO to the master; takes ownership of the request. */
    void forward(ClientHandler c, RespRequest r, CommandSpec spec) {
        boolean withProxy = r.argc() == 1;
        for (int i = 1; i < r.argc(); i++) {
            withProxy |= r.argIs(i, "proxy") || r.argIs(i, "all") || r.argIs(i, "everything")
                    || r.argIs(i, "default");
        }
        // LOCAL route: the proxy's own read on the master, outside the client's read-your-writes accounting
        PendingReply p = new PendingReply(c, r, spec, Route.LOCAL);
        if (withProxy) {
            p.transform = reply -> appendProxySection(c, reply);
        }
        c.forward(p);
    }

    private ByteBuf appendProxySection(ClientHandler c, ByteBuf reply) {
        byte type = reply.getByte(reply.readerIndex());
        if (type != '$' && type != '=') {
            return reply; // an error: pass it on as the master said it
        }
        String info;
        try {
            info = (String) RespValues.read(reply.duplicate());
        } finally {
            reply.release();
        }
        if (type == '=' && info.startsWith("txt:")) {
            info = info.substring(4); // RESP3 verbatim string: format prefix
        }
        StringBuilder sb = new StringBuilder(info);
        if (!info.isEmpty()) {
            sb.append("\r\n");
        }
        sb.append(proxySection());
        return RespWriter.verbatim(c.alloc(), sb.toString(), type == '=' ? 3 : 2);
    }

    String proxySection() {
        RuntimeSnapshot now = ctx.runtime(); // one snapshot: the nodes listed and the settings shown agree
        Topology t = now.topology();
        StringBuilder sb = new StringBuilder("# Proxy\r\n");
        line(sb, "resplit_version", Version.current());
        line(sb, "transport", ctx.transportName());
        line(sb, "io_threads", now.config().effectiveIoThreads());
        line(sb, "uptime_in_seconds", (System.currentTimeMillis() - ctx.startMillis()) / 1000);
        line(sb, "connected_clients", ctx.clients().connected());
        line(sb, "total_connections_received", ctx.clients().accepted());
        line(sb, "rejected_connections", ctx.clients().rejected());
        line(sb, "read_from", now.config().readFrom().name().toLowerCase(Locale.ROOT));
        line(sb, "command_table", now.table().source());
        line(sb, "master", node(t.master()));
        for (int i = 0; i < t.replicas().size(); i++) {
            line(sb, "replica" + i, node(t.replicas().get(i)));
        }
        return sb.toString();
    }

    private static String node(BackendNode n) {
        NodeState s = n.state();
        return "addr=" + n.address() + ",status=" + (s.up() ? "up" : "down")
                + ",role=" + (s.info() == null ? "unknown" : s.info().role())
                + ",offset=" + s.offset() + ",serves_reads=" + (s.servesReads() ? 1 : 0)
                + ",inflight=" + n.inflight();
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(key).append(':').append(value).append("\r\n");
    }
}
