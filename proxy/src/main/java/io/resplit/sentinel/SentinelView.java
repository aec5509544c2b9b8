package io.resplit.sentinel;

import io.resplit.config.HostPort;
import java.util.List;

/**
 * Turns the sentinels' answers into one view, and remembers what it accepted: the answer with the newest
 * config epoch names the master (every failover raises the epoch, and a sentinel that missed one still reports
 * the older epoch), and once an epoch is accepted, no answer with an older one can move the master back. The
 * replica list is taken only from an answer at the accepted epoch. Not thread-safe: the poller's thread only.
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

    private long acceptedEpoch = -1;
    private HostPort acceptedMaster;

    /** One poll's answers (possibly none); null when nobody answered and nothing was accepted before. */
    Decision update(List<SentinelAnswer> answers) {
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
