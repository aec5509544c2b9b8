package io.resplit.sentinel;

import io.resplit.config.HostPort;
import java.util.List;

/**
 * What one sentinel said about the monitored master in one poll.
 *
 * @param sentinel    who answered
 * @param master      {@code SENTINEL GET-MASTER-ADDR-BY-NAME}: the address clients should write to
 * @param configEpoch the master's {@code config-epoch} (raised by every failover), -1 when unknown
 * @param masterFlags the master's {@code flags} as the sentinel sees it ({@code master,s_down,o_down,...})
 * @param replicas    {@code SENTINEL REPLICAS}: every replica the sentinel knows, reachable or not
 */
public record SentinelAnswer(HostPort sentinel, HostPort master, long configEpoch, String masterFlags,
                             List<HostPort> replicas) {
    public SentinelAnswer {
        replicas = List.copyOf(replicas);
    }

    /** Whether this sentinel considers the master down (subjectively or objectively). */
    public boolean masterDown() {
        return masterFlags.contains("s_down") || masterFlags.contains("o_down");
    }
}
