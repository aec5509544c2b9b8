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
        io.resplit.cluster.ClusterDirectory cluster = ctx.proxy().cluster();
        return AdminReply.text((cluster == null ? nodes(ctx.proxy().topology().current()) : shards(cluster))
                + "connected_clients:" + ctx.proxy().connectedClients() + "\r\n"
                + "write_gate:" + (ctx.proxy().writeGate().isOpen() ? "open" : "closed") + "\r\n"
                + "clients_waiting_at_gate:" + ctx.proxy().writeGate().waiting() + "\r\n"
                + "failovers:" + ctx.failovers().get() + "\r\n"
                + "last_failover_write_pause_us:" + ctx.lastPauseMicros().get() + "\r\n"
                + "read_from:" + ctx.proxy().runtime().config().readFrom().name().toLowerCase(java.util.Locale.ROOT)
                + "\r\n"
                + (cluster == null ? ctx.failover().authorityStatus() : ""));
    }

    private static String nodes(Topology t) {
        long healthy = t.replicas().stream().filter(n -> n.state().servesReads()).count();
        BackendNode m = t.master();
        return "master:" + m.address() + "\r\n"
                + "master_status:" + (m.isUp() ? "up" : "down") + "\r\n"
                + "replicas:" + t.replicas().size() + "\r\n"
                + "replicas_serving_reads:" + healthy + "\r\n";
    }

    /** Cluster mode: the map as the proxy sees it, then one line per shard. */
    private static String shards(io.resplit.cluster.ClusterDirectory cluster) {
        io.resplit.cluster.ClusterView view = cluster.view();
        List<Topology> shards = view.shardsBySlot();
        StringBuilder b = new StringBuilder("mode:cluster\r\n")
                .append("cluster_shards:").append(shards.size()).append("\r\n")
                .append("cluster_slots_served:").append(view.slotsServed()).append("\r\n")
                .append("cluster_map_reads:").append(cluster.refreshes()).append("\r\n")
                .append("cluster_map_changes:").append(cluster.changes()).append("\r\n")
                .append("cluster_redirects_moved:").append(cluster.movedCount()).append("\r\n")
                .append("cluster_redirects_ask:").append(cluster.askCount()).append("\r\n")
                .append("cluster_retries:").append(cluster.retryCount()).append("\r\n");
        for (int i = 0; i < shards.size(); i++) {
            Topology t = shards.get(i);
            long healthy = t.replicas().stream().filter(n -> n.state().servesReads()).count();
            b.append("shard").append(i).append(":master=").append(t.master().address())
                    .append(",status=").append(t.master().isUp() ? "up" : "down")
                    .append(",replicas=").append(t.replicas().size())
                    .append(",replicas_serving_reads=").append(healthy)
                    .append(",slots=").append(view.slotRanges(t)).append("\r\n");
        }
        return b.toString();
    }
}
