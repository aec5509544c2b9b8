package io.resplit.route;

import static org.junit.jupiter.api.Assertions.assertSame;

import io.resplit.backend.BackendNode;
import io.resplit.backend.TestNodes;
import io.resplit.topology.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which node serves a read, from the topology snapshot and the client's fence alone (no sockets). */
class ReadTargetTest {
    private final ReplicaPolicy policy = new LeastOutstandingPolicy();

    @Test
    void aCaughtUpReplicaServesAndAFenceAboveEveryReplicaSendsTheReadToTheMaster() {
        BackendNode master = TestNodes.master(7000, 1000);
        BackendNode replica = TestNodes.replica(7001, 900);
        Topology t = new Topology(master, List.of(replica));
        assertSame(replica, ReadTarget.choose(t, 900, 0, policy, null), "the replica has the client's writes");
        assertSame(master, ReadTarget.choose(t, 950, 0, policy, null), "no replica has them yet");
        assertSame(master, ReadTarget.choose(t, ReadYourWrites.MASTER_ONLY, 0, policy, null), "master only");
        assertSame(master, ReadTarget.choose(t, 0, 0, policy, replica), "the replica just failed this read");
    }

    @Test
    void replicaMaxLagKeepsReadsOffAReplicaTooFarBehind() {
        BackendNode master = TestNodes.master(7010, 10_000);
        BackendNode replica = TestNodes.replica(7011, 9_000);
        Topology t = new Topology(master, List.of(replica));
        assertSame(replica, ReadTarget.choose(t, 0, 2_000, policy, null), "1,000 bytes behind, limit 2,000");
        assertSame(master, ReadTarget.choose(t, 0, 500, policy, null), "1,000 bytes behind, limit 500");
        assertSame(replica, ReadTarget.choose(t, 0, 0, policy, null), "no limit");
    }
}
