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

    @Test
    void thePreviousReplicaServesWhileItIsFitAndThePolicyPicksOtherwise() {
        BackendNode master = TestNodes.master(7020, 1000);
        BackendNode idle = TestNodes.replica(7021, 1000);
        BackendNode previous = TestNodes.replica(7022, 1000);
        TestNodes.inflight(previous, 10); // the policy alone would pick the idle one
        Topology t = new Topology(master, List.of(idle, previous));
        assertSame(idle, ReadTarget.choose(t, 0, 0, policy, null, null), "no previous: the policy picks");
        assertSame(previous, ReadTarget.choose(t, 0, 0, policy, null, previous), "kept to while fit");
        assertSame(idle, ReadTarget.choose(t, 0, 0, policy, previous, previous), "it just failed this read");
        assertSame(master, ReadTarget.choose(t, ReadYourWrites.MASTER_ONLY, 0, policy, null, previous),
                "the client's write is unanswered: the master");

        BackendNode behind = TestNodes.replica(7023, 900);
        Topology t2 = new Topology(master, List.of(idle, behind));
        assertSame(idle, ReadTarget.choose(t2, 950, 0, policy, null, behind), "below the client's fence");
        assertSame(idle, ReadTarget.choose(t2, 0, 50, policy, null, behind), "beyond replica-max-lag");

        BackendNode removed = TestNodes.replica(7024, 1000);
        assertSame(idle, ReadTarget.choose(t, 0, 0, policy, null, removed), "no longer in the topology");

        TestNodes.markDown(previous, "connection refused");
        assertSame(idle, ReadTarget.choose(t, 0, 0, policy, null, previous), "down");
    }
}
