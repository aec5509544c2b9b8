package io.resplit.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.backend.BackendNode;
import io.resplit.backend.TestNodes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Replica choice: only fit, caught-up replicas; the least loaded; ties spread round-robin. */
class LeastOutstandingPolicyTest {
    private final LeastOutstandingPolicy policy = new LeastOutstandingPolicy();

    private static BackendNode replica(int port, long offset) {
        return TestNodes.replica(port, offset);
    }

    @Test
    void noReplicas() {
        assertNull(policy.choose(List.of(), -1, null));
    }

    @Test
    void aHealthyReplicaIsChosen() {
        BackendNode r = replica(7001, 100);
        assertTrue(r.isUp());
        assertTrue(r.state().servesReads());
        assertSame(r, policy.choose(List.of(r), -1, null));
    }

    @Test
    void skipsDownReplicas() {
        BackendNode down = replica(7001, 100);
        BackendNode up = replica(7002, 100);
        TestNodes.markDown(down, "connection refused");
        assertFalse(down.isUp());
        assertEquals("connection refused", down.state().reason());
        for (int i = 0; i < 6; i++) {
            assertSame(up, policy.choose(List.of(down, up), -1, null));
        }
        // a sample during the failure backoff does not bring it back yet (repeated failures: a 5 s backoff)
        for (int i = 0; i < 6; i++) {
            TestNodes.markDown(down, "connection refused");
        }
        TestNodes.check(down, "slave", true, false, 100);
        assertFalse(down.isUp());
        assertNull(policy.choose(List.of(down), -1, null));
    }

    @Test
    void skipsNeverCheckedNodes() {
        BackendNode unchecked = TestNodes.node(7001);
        assertFalse(unchecked.state().servesReads());
        assertNull(policy.choose(List.of(unchecked), -1, null));
    }

    @Test
    void skipsReplicasWithLinkDown() {
        BackendNode r = TestNodes.node(7001);
        TestNodes.check(r, "slave", false, false, 100);
        assertTrue(r.isUp());
        assertNull(policy.choose(List.of(r), -1, null));
    }

    @Test
    void skipsSyncingReplicas() {
        BackendNode r = TestNodes.node(7001);
        TestNodes.check(r, "slave", true, true, 100);
        assertNull(policy.choose(List.of(r), -1, null));
    }

    @Test
    void skipsNodesThatReportTheMasterRole() {
        BackendNode promoted = TestNodes.node(7001);
        TestNodes.check(promoted, "master", true, false, 100);
        assertNull(policy.choose(List.of(promoted), -1, null));
    }

    @Test
    void skipsReplicasBehindTheMinimumOffset() {
        BackendNode behind = replica(7001, 99);
        BackendNode exact = replica(7002, 100);
        for (int i = 0; i < 6; i++) {
            assertSame(exact, policy.choose(List.of(behind, exact), 100, null));
        }
        assertNull(policy.choose(List.of(behind, exact), 101, null));
        assertNull(policy.choose(List.of(behind), ReadYourWrites.MASTER_ONLY, null));
    }

    @Test
    void skipsTheExcludedNode() {
        BackendNode a = replica(7001, 100);
        BackendNode b = replica(7002, 100);
        for (int i = 0; i < 6; i++) {
            assertSame(b, policy.choose(List.of(a, b), -1, a));
        }
        assertNull(policy.choose(List.of(a), -1, a));
    }

    @Test
    void nullWhenNoneFits() {
        BackendNode down = replica(7001, 100);
        TestNodes.markDown(down, "x");
        BackendNode syncing = TestNodes.node(7002);
        TestNodes.check(syncing, "slave", true, true, 100);
        BackendNode behind = replica(7003, 10);
        BackendNode excluded = replica(7004, 100);
        assertNull(policy.choose(List.of(down, syncing, behind, excluded), 50, excluded));
    }

    @Test
    void choosesTheLeastLoaded() {
        BackendNode busy = replica(7001, 100);
        BackendNode idle = replica(7002, 100);
        BackendNode medium = replica(7003, 100);
        TestNodes.inflight(busy, 5);
        TestNodes.inflight(medium, 2);
        for (int i = 0; i < 9; i++) {
            assertSame(idle, policy.choose(List.of(busy, idle, medium), -1, null));
        }
        TestNodes.inflight(idle, 3);
        assertSame(medium, policy.choose(List.of(busy, idle, medium), -1, null));
        TestNodes.inflight(busy, -5);
        assertEquals(0, busy.inflight());
        assertSame(busy, policy.choose(List.of(busy, idle, medium), -1, null));
    }

    @Test
    void spreadsEvenlyAmongEqualReplicas() {
        List<BackendNode> replicas = List.of(replica(7001, 100), replica(7002, 100), replica(7003, 100));
        Map<BackendNode, Integer> counts = new HashMap<>();
        Set<BackendNode> window = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            BackendNode n = policy.choose(replicas, -1, null);
            counts.merge(n, 1, Integer::sum);
            window.add(n);
            if (i % 3 == 2) {
                assertEquals(3, window.size(), "every 3 consecutive choices visit all 3 replicas");
                window.clear();
            }
        }
        assertEquals(Map.of(replicas.get(0), 100, replicas.get(1), 100, replicas.get(2), 100), counts);
    }

    /**
     * With one replica out of service, the two remaining equal replicas should still share reads evenly. The
     * rotation start advances over all replicas and a skipped one hands its turn to the next, so B gets 2/3.
     */
    @Test
    void spreadsEvenlyAmongEqualReplicasWhenOneIsDown() {
        BackendNode a = replica(7001, 100);
        BackendNode down = replica(7002, 100);
        BackendNode b = replica(7003, 100);
        TestNodes.markDown(down, "x");
        Map<BackendNode, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(policy.choose(List.of(a, down, b), -1, null), 1, Integer::sum);
        }
        assertEquals(Map.of(a, 150, b, 150), counts);
    }

    /**
     * Tied replicas share reads in proportion to their weights within every run of choices as long as the total
     * weight, not only on average: weights 1, 2 and 3 give 1, 2 and 3 of every 6 consecutive reads, a replica
     * out of service in between shifts nothing, and the shares follow a change of weight at once.
     */
    @Test
    void everyRunOfTheTotalWeightGivesEachTiedReplicaItsWeight() {
        BackendNode one = replica(7201, 100);
        BackendNode down = replica(7202, 100);
        BackendNode two = replica(7203, 100);
        BackendNode three = replica(7204, 100);
        TestNodes.markDown(down, "x");
        two.weight(2);
        three.weight(3);
        List<BackendNode> replicas = List.of(one, down, two, three);
        for (int window = 0; window < 1000; window++) {
            assertEquals(Map.of(one, 1, two, 2, three, 3), choices(replicas, 6), "window " + window);
        }
        three.weight(1);
        for (int window = 0; window < 1000; window++) {
            assertEquals(Map.of(one, 1, two, 2, three, 1), choices(replicas, 4), "window " + window);
        }
    }

    /** How many of {@code n} consecutive reads each replica gets. */
    private Map<BackendNode, Integer> choices(List<BackendNode> replicas, int n) {
        Map<BackendNode, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(policy.choose(replicas, -1, null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void idleReplicasShareReadsInProportionToTheirWeights() {
        BackendNode light = replica(7101, 100);
        BackendNode heavy = replica(7102, 100);
        heavy.weight(3);
        LeastOutstandingPolicy policy = new LeastOutstandingPolicy();
        int lightPicks = 0;
        int heavyPicks = 0;
        for (int i = 0; i < 400; i++) {
            BackendNode chosen = policy.choose(java.util.List.of(light, heavy), -1, null);
            if (chosen == light) {
                lightPicks++;
            } else if (chosen == heavy) {
                heavyPicks++;
            }
        }
        assertEquals(100, lightPicks);
        assertEquals(300, heavyPicks);
    }
}
