package io.resplit.topology;

import io.resplit.backend.BackendNode;
import io.resplit.backend.NodeState;
import io.resplit.config.HostPort;
import java.util.ArrayList;
import java.util.List;

/**
 * One node as operators see it (admin {@code BACKENDS}, the status page): its place in the topology and what its
 * last answered health check said. Built in one place so that the console and the page never disagree on what
 * "lag" or "link" means.
 *
 * @param reportedRole  the role the node itself reported: {@code master}, {@code slave}, or {@code unknown}
 *                      before its first check
 * @param link          {@code up}, {@code down}, or {@code unknown} before the first check
 * @param offset        replication offset of the last check, -1 before the first
 * @param lagBytes      how far the offset is behind the master's; 0 on the master and before a first check
 * @param latencyMicros round trip of the last answered check, -1 before the first
 * @param reason        why the node is down; null while it is up
 */
public record BackendView(HostPort address, boolean master, boolean up, String reportedRole, String link,
                          long offset, long lagBytes, boolean servesReads, int inflight, int weight,
                          long latencyMicros, String reason) {

    /** Every node of {@code t}, master first. */
    public static List<BackendView> of(Topology t) {
        long masterOffset = t.master().state().offset();
        List<BackendView> out = new ArrayList<>();
        for (BackendNode n : t.nodes()) {
            NodeState s = n.state();
            boolean isMaster = n == t.master();
            out.add(new BackendView(n.address(), isMaster, s.up(),
                    s.info() == null ? "unknown" : s.info().role(),
                    s.info() == null ? "unknown" : s.info().linkUp() ? "up" : "down",
                    s.offset(),
                    isMaster || s.offset() < 0 ? 0 : Math.max(0, masterOffset - s.offset()),
                    s.servesReads(), n.inflight(), n.weight(), s.latencyMicros(),
                    s.up() ? null : s.reason()));
        }
        return out;
    }
}
