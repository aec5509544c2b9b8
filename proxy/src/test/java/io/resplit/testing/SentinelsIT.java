package io.resplit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import redis.clients.jedis.Jedis;

/** Proves the Sentinel harness itself: three real sentinels agree and fail over on request. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SentinelsIT {

    private static final String NODE_PASSWORD = "node-secret";
    private static final String SENTINEL_PASSWORD = "sentinel-secret";
    private static final String MASTER_NAME = "resplit-it";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void forcedFailoverPromotesTheReplicaForEverySentinel() {
        try (RedisTopology topology = RedisTopology.startForFailover(1, NODE_PASSWORD);
                Sentinels sentinels = Sentinels.start(3, MASTER_NAME, topology.master(),
                        NODE_PASSWORD, SENTINEL_PASSWORD)) {
            int masterPort = topology.master().port();
            RedisServer replica = topology.replicas().get(0);
            assertEquals(3, sentinels.ports().size());

            sentinels.awaitAllAgree(masterPort, DEADLINE);
            for (int i = 0; i < sentinels.size(); i++) {
                assertEquals("127.0.0.1:" + masterPort, sentinels.masterAddress(i));
            }

            // A forced failover needs no quorum or election: sentinel 0 promotes the replica
            // itself, and the others learn the new master from its hello messages.
            try (Jedis sentinel = sentinels.jedis(0)) {
                assertEquals("OK", sentinel.sentinelFailover(MASTER_NAME));
            }
            sentinels.awaitAllAgree(replica.port(), DEADLINE);

            try (Jedis promoted = topology.jedis(replica)) {
                Wait.until(DEADLINE, () -> promoted.info("replication").contains("role:master"),
                        "the promoted replica to report role:master");
            }
        }
    }
}
