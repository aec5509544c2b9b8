package io.resplit.admin;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import io.resplit.topology.Topology;
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
        Topology t = ctx.proxy().topology().current();
        long masterOffset = t.master().state().offset();
        StringBuilder out = new StringBuilder();
        for (BackendNode n : t.nodes()) {
            NodeState s = n.state();
            boolean isMaster = n == t.master();
            out.append("addr=").append(n.address())
                    .append(" role=").append(isMaster ? "master" : "replica")
                    .append(" status=").append(s.up() ? "up" : "down")
                    .append(" reported_role=").append(s.info() == null ? "unknown" : s.info().role())
                    .append(" link=").append(s.info() == null ? "unknown" : s.info().linkUp() ? "up" : "down")
                    .append(" offset=").append(s.offset())
                    .append(" lag_bytes=").append(isMaster || s.offset() < 0 ? 0 : Math.max(0, masterOffset - s.offset()))
                    .append(" serves_reads=").append(s.servesReads() ? 1 : 0)
                    .append(" inflight=").append(n.inflight())
                    .append(" weight=").append(n.weight())
                    .append(" latency_us=").append(s.latencyMicros());
            if (!s.up() && s.reason() != null) {
                out.append(" reason=\"").append(s.reason().replace('"', '\'')).append('"');
            }
            out.append("\r\n");
        }
        return AdminReply.text(out.toString());
    }
}
