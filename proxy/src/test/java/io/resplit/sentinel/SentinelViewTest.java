package io.resplit.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.config.HostPort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sentinels that disagree, lag behind or go away: the newest config epoch wins, and never goes back. */
class SentinelViewTest {
    private static final HostPort A = new HostPort("10.0.0.1", 6379);
    private static final HostPort B = new HostPort("10.0.0.2", 6379);
    private static final HostPort C = new HostPort("10.0.0.3", 6379);

    private static SentinelAnswer says(int sentinel, HostPort master, long epoch, String flags, HostPort... replicas) {
        return new SentinelAnswer(new HostPort("10.0.1." + sentinel, 26379), master, epoch, flags, List.of(replicas));
    }

    @Test
    void nobodyAnsweringIsNoDecision() {
        assertNull(new SentinelView().update(List.of()));
    }

    @Test
    void theNewestEpochWinsOverALaggingMajority() {
        SentinelView view = new SentinelView();
        SentinelView.Decision d = view.update(List.of(says(1, A, 3, "master", B, C), says(2, A, 3, "master", B, C),
                says(3, B, 4, "master", A, C))); // the failover's leader knows first
        assertEquals(B, d.master());
        assertEquals(4, d.epoch());
        assertEquals(List.of(A, C), d.replicas(), "the replicas of the freshest answer");
    }

    @Test
    void anOlderEpochNeverMovesTheMasterBack() {
        SentinelView view = new SentinelView();
        view.update(List.of(says(1, B, 4, "master", A)));
        // only a stale sentinel answers now (the others are down): it still names A at epoch 3
        SentinelView.Decision d = view.update(List.of(says(2, A, 3, "master", B)));
        assertEquals(B, d.master());
        assertEquals(4, d.epoch());
        assertNull(d.replicas(), "a stale answer's replica list is not taken");
        // nobody answers: the accepted master stays
        assertEquals(B, view.update(List.of()).master());
    }

    @Test
    void twoFailoversInARowAreFollowedBothTimes() {
        SentinelView view = new SentinelView();
        assertEquals(A, view.update(List.of(says(1, A, 1, "master", B, C))).master());
        assertEquals(B, view.update(List.of(says(1, B, 2, "master", A, C))).master());
        assertEquals(C, view.update(List.of(says(2, C, 3, "master", A, B), says(1, B, 2, "master"))).master());
    }

    @Test
    void aMasterDownIsReportedFromAnswersAtTheAcceptedEpoch() {
        SentinelView view = new SentinelView();
        SentinelView.Decision d = view.update(List.of(says(1, A, 1, "master,s_down,o_down", B),
                says(2, A, 1, "master", B)));
        assertTrue(d.masterDown());
        assertEquals(2, d.answered());
    }

    @Test
    void sentinelsWhoseEpochsStartedOverAreFollowedOnceTheyAgreeForSeveralPolls() {
        SentinelView view = new SentinelView();
        view.update(List.of(says(1, A, 7, "master", B)));
        for (int i = 1; i < SentinelView.RESET_AFTER; i++) {
            assertEquals(A, view.update(List.of(says(1, B, 0, "master", A), says(2, B, 0, "master", A))).master());
        }
        SentinelView.Decision d = view.update(List.of(says(1, B, 0, "master", A), says(2, B, 0, "master", A)));
        assertEquals(B, d.master(), "redeployed sentinels, all agreeing, are followed");
        assertEquals(0, d.epoch());
        // a single lagging answer is never enough
        SentinelView other = new SentinelView();
        other.update(List.of(says(1, A, 7, "master")));
        for (int i = 0; i < 2 * SentinelView.RESET_AFTER; i++) {
            assertEquals(A, other.update(List.of(says(2, B, 0, "master"))).master());
        }
    }
}
