package io.resplit.admin;

import io.resplit.topology.BackendView;
import java.util.List;

/** BACKENDS: every node with its role, health, offset, lag behind the master and requests in flight. */
final class BackendsCommand implements AdminCommand {
    @Override
    public String name() {
        return "BACKENDS";
    }

    @Override
    public String usage() {
        return "BACKENDS";
    }

    @Override
    public String summary() {
        return "every node: role, health, offset, lag, in-flight requests, check latency";
    }

    @Override
    public boolean readOnly(List<String> args) {
        return true;
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        StringBuilder out = new StringBuilder();
        io.resplit.cluster.ClusterDirectory cluster = ctx.proxy().cluster();
        if (cluster == null) {
            describe(out, "", ctx.proxy().topology().current());
        } else {
            // cluster mode: every shard's nodes, each line naming its shard and the slots it serves
            io.resplit.cluster.ClusterView view = cluster.view();
            List<io.resplit.topology.Topology> shards = view.shardsBySlot();
            for (int i = 0; i < shards.size(); i++) {
                describe(out, "shard=" + i + " slots=" + view.slotRanges(shards.get(i)) + " ", shards.get(i));
            }
        }
        return AdminReply.text(out.toString());
    }

    private static void describe(StringBuilder out, String prefix, io.resplit.topology.Topology topology) {
        for (BackendView n : BackendView.of(topology)) {
            out.append(prefix).append("addr=").append(n.address())
                    .append(" role=").append(n.master() ? "master" : "replica")
                    .append(" status=").append(n.up() ? "up" : "down")
                    .append(" reported_role=").append(n.reportedRole())
                    .append(" link=").append(n.link())
                    .append(" offset=").append(n.offset())
                    .append(" lag_bytes=").append(n.lagBytes())
                    .append(" serves_reads=").append(n.servesReads() ? 1 : 0)
                    .append(" inflight=").append(n.inflight())
                    .append(" weight=").append(n.weight())
                    .append(" latency_us=").append(n.latencyMicros());
            if (n.reason() != null) {
                out.append(" reason=\"").append(n.reason().replace('"', '\'')).append('"');
            }
            out.append("\r\n");
        }
    }
}
