package io.resplit.sentinel;

import io.resplit.config.HostPort;
import java.util.List;

/**
 * Turns the sentinels' answers into one view, and remembers what it accepted: the answer with the newest
 * config epoch names the master (every failover raises the epoch, and a sentinel that missed one still reports
 * the older epoch), and once an epoch is accepted, no answer with an older one can move the master back, unless
 * every answering sentinel (two at least) agrees on one for {@link #RESET_AFTER} polls in a row (their epochs
 * started over). The replica list is taken only from an answer at the accepted epoch. The watcher still checks
 * ROLE before writes move. Not thread-safe: the poller's thread only.
 */
public final class SentinelView {
    /**
     * @param master     the master at the accepted epoch
     * @param epoch      the accepted config epoch
     * @param replicas   the replicas the freshest sentinel knows, or null when no answer was at the accepted epoch
     * @param masterDown a sentinel at the accepted epoch reports the master down
     * @param answered   how many sentinels answered
     */
    public record Decision(HostPort master, long epoch, List<HostPort> replicas, boolean masterDown, int answered) {
    }

    /**
     * Polls in a row in which every answering sentinel (two at least) named the same master at the same epoch
     * below the accepted one, before that is taken: the sentinels were redeployed, or the master monitored
     * again, and their epochs started over.
     */
    static final int RESET_AFTER = 3;

    private long acceptedEpoch = -1;
    private HostPort acceptedMaster;
    private int lowerAgreements;

    /** One poll's answers (possibly none); null when nobody answered and nothing was accepted before. */
    Decision update(List<SentinelAnswer> answers) {
        if (acceptedMaster != null && unanimousBelow(answers)) {
            if (++lowerAgreements >= RESET_AFTER) {
                acceptedEpoch = -1; // taken below, as the sentinels now count
                acceptedMaster = null;
                lowerAgreements = 0;
            }
        } else {
            lowerAgreements = 0;
        }
        return decide(answers);
    }

    private boolean unanimousBelow(List<SentinelAnswer> answers) {
        if (answers.size() < 2) {
            return false;
        }
        SentinelAnswer first = answers.get(0);
        for (SentinelAnswer a : answers) {
            if (a.configEpoch() != first.configEpoch() || !a.master().equals(first.master())) {
                return false;
            }
        }
        return first.configEpoch() < acceptedEpoch;
    }

    private Decision decide(List<SentinelAnswer> answers) {
        SentinelAnswer best = null;
        for (SentinelAnswer a : answers) {
            if (best == null || a.configEpoch() > best.configEpoch()
                    || (a.configEpoch() == best.configEpoch() && a.master().equals(acceptedMaster))) {
                best = a;
            }
        }
        if (best != null && (acceptedMaster == null || best.configEpoch() > acceptedEpoch)) {
            acceptedEpoch = best.configEpoch();
            acceptedMaster = best.master();
        }
        if (acceptedMaster == null) {
            return null;
        }
        boolean current = best != null && best.configEpoch() == acceptedEpoch && best.master().equals(acceptedMaster);
        boolean down = false;
        for (SentinelAnswer a : answers) {
            down |= a.configEpoch() == acceptedEpoch && a.master().equals(acceptedMaster) && a.masterDown();
        }
        return new Decision(acceptedMaster, acceptedEpoch, current ? best.replicas() : null, down, answers.size());
    }

    long acceptedEpoch() {
        return acceptedEpoch;
    }
}
