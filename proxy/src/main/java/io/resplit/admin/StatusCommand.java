package io.resplit.admin;

import io.resplit.backend.BackendNode;
import io.resplit.topology.Topology;
import java.util.List;

/** STATUS: the proxy at a glance, in INFO's key:value form. */
final class StatusCommand implements AdminCommand {
    @Override
    public String name() {
        return "STATUS";
    }

    @Override
    public String usage() {
        return "STATUS";
    }

    @Override
    public String summary() {
        return "master, healthy replicas, clients, write gate, failovers";
    }

    @Override
    public boolean readOnly(List<String> args) {
        return true;
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        Topology t = ctx.proxy().topology().current();
        long healthy = t.replicas().stream().filter(n -> n.state().servesReads()).count();
        BackendNode m = t.master();
        return AdminReply.text("master:" + m.address() + "\r\n"
                + "master_status:" + (m.isUp() ? "up" : "down") + "\r\n"
                + "replicas:" + t.replicas().size() + "\r\n"
                + "replicas_serving_reads:" + healthy + "\r\n"
                + "connected_clients:" + ctx.proxy().connectedClients() + "\r\n"
                + "write_gate:" + (ctx.proxy().writeGate().isOpen() ? "open" : "closed") + "\r\n"
                + "clients_waiting_at_gate:" + ctx.proxy().writeGate().waiting() + "\r\n"
                + "failovers:" + ctx.failovers().get() + "\r\n"
                + "last_failover_write_pause_us:" + ctx.lastPauseMicros().get() + "\r\n"
                + "read_from:" + ctx.proxy().config().readFrom().name().toLowerCase(java.util.Locale.ROOT) + "\r\n"
                + ctx.failover().authorityStatus());
    }
}
