package io.resplit.route;

import static io.resplit.route.ReadYourWrites.MASTER_ONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.backend.BackendNode;
import io.resplit.backend.TestNodes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-connection fence that keeps a client's reads behind its own writes. */
class ReadYourWritesTest {
    private final BackendNode master = TestNodes.master(6379, 1000);
    private final ReadYourWrites ryw = new ReadYourWrites();

    /** The monitor sends a check (taking a sequence number) and it is answered with {@code offset}. */
    private long masterCheck(long offset) {
        return TestNodes.check(master, "master", true, false, offset);
    }

    @Test
    void aConnectionThatNeverWroteReadsFreely() {
        assertEquals(-1, ryw.minReplicaOffset(master));
        assertFalse(ryw.hasWritten());
        masterCheck(2000);
        assertEquals(-1, ryw.minReplicaOffset(master), "other clients' writes do not fence this one");
    }

    @Test
    void aNewMasterBehindTheOldOneLowersTheFenceToWhatSurvived() {
        ryw.writeSent();
        ryw.writeEnded(master);
        masterCheck(5000);
        assertEquals(5000, ryw.minReplicaOffset(master));
        // the old master died with writes the promoted replica never got: it continues from 4200
        BackendNode promoted = TestNodes.master(6380, 4200);
        TestNodes.check(promoted, "master", true, false, 4200);
        assertEquals(4200, ryw.minReplicaOffset(promoted), "not 5000, which no replica would reach for a while");
        ryw.writeSent();
        ryw.writeEnded(promoted);
        TestNodes.check(promoted, "master", true, false, 4300);
        assertEquals(4300, ryw.minReplicaOffset(promoted), "a write on the new master fences as usual");
    }

    @Test
    void writeInFlightPinsReadsToTheMaster() {
        ryw.writeSent();
        assertTrue(ryw.hasWritten());
        assertEquals(MASTER_ONLY, ryw.minReplicaOffset(master));
        masterCheck(1500);
        assertEquals(MASTER_ONLY, ryw.minReplicaOffset(master), "a sample while the write is unanswered is no fence");
    }

    @Test
    void afterTheWriteTheFenceIsTheNextMasterSample() {
        ryw.writeSent();
        ryw.writeEnded(master);
        assertEquals(MASTER_ONLY, ryw.minReplicaOffset(master), "no sample since the write ended");
        masterCheck(1234);
        assertEquals(1234, ryw.minReplicaOffset(master));
        assertTrue(ryw.hasWritten());
    }

    @Test
    void aCheckSentBeforeTheWriteEndedIsNoFenceEvenIfAnsweredAfter() {
        long early = TestNodes.nextSampleSeq(master); // sent before the write was answered
        ryw.writeSent();
        ryw.writeEnded(master);
        TestNodes.onSample(master, early, "master", true, false, 1100);
        assertEquals(MASTER_ONLY, ryw.minReplicaOffset(master), "sample " + early + " may predate the write");
        long later = TestNodes.nextSampleSeq(master);
        assertTrue(later > early);
        TestNodes.onSample(master, later, "master", true, false, 1200);
        assertEquals(1200, ryw.minReplicaOffset(master));
    }

    @Test
    void theFenceStaysFixedOnceResolved() {
        ryw.writeSent();
        ryw.writeEnded(master);
        masterCheck(1300);
        assertEquals(1300, ryw.minReplicaOffset(master));
        masterCheck(9999); // other clients' writes move the master on; this connection's fence does not move
        assertEquals(1300, ryw.minReplicaOffset(master));
    }

    @Test
    void pipelinedWritesKeepReadsOnTheMasterUntilTheLastOneEnds() {
        ryw.writeSent();
        ryw.writeSent();
        ryw.writeEnded(master);
        masterCheck(1400);
        assertEquals(MASTER_ONLY, ryw.minReplicaOffset(master), "one write still in flight");
        ryw.writeEnded(master);
        assertEquals(MASTER_ONLY, ryw.minReplicaOffset(master), "sample 1400 was taken before the second ended");
        masterCheck(1500);
        assertEquals(1500, ryw.minReplicaOffset(master));
    }

    @Test
    void aLaterWriteMovesTheFenceForward() {
        ryw.writeSent();
        ryw.writeEnded(master);
        masterCheck(1300);
        assertEquals(1300, ryw.minReplicaOffset(master));
        ryw.writeSent();
        ryw.writeEnded(master);
        assertEquals(MASTER_ONLY, ryw.minReplicaOffset(master));
        masterCheck(1700);
        assertEquals(1700, ryw.minReplicaOffset(master));
    }

    @Test
    void aSecondWriteBeforeTheFirstFenceResolvesWaitsForTheLaterSample() {
        ryw.writeSent();
        ryw.writeEnded(master);
        ryw.writeSent();
        ryw.writeEnded(master);
        masterCheck(1800);
        assertEquals(1800, ryw.minReplicaOffset(master));
    }

    @Test
    void aMasterSampleWithoutAnOffsetIsNoFence() {
        ryw.writeSent();
        ryw.writeEnded(master);
        masterCheck(-1); // INFO without master_repl_offset
        assertEquals(MASTER_ONLY, ryw.minReplicaOffset(master));
        masterCheck(1600);
        assertEquals(1600, ryw.minReplicaOffset(master));
    }

    @Test
    void withTheReplicaPolicyALaggingReplicaIsNotChosen() {
        BackendNode behind = TestNodes.replica(6380, 1000);
        BackendNode caughtUp = TestNodes.replica(6381, 2000);
        ReplicaPolicy policy = new LeastOutstandingPolicy();
        ryw.writeSent();
        ryw.writeEnded(master);
        masterCheck(1900);
        long min = ryw.minReplicaOffset(master);
        for (int i = 0; i < 10; i++) {
            assertSame(caughtUp, policy.choose(List.of(behind, caughtUp), min, null));
        }
        assertNull(policy.choose(List.of(behind), min, null), "none caught up: the caller reads from the master");
    }
}
