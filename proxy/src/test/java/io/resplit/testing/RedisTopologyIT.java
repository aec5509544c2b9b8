package io.resplit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** Proves the test harness itself: real master/replica processes, failure simulation, stats. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisTopologyIT {

    private static final String PASSWORD = "s3cret-harness";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void writeOnMasterReachesBothReplicasAndIsCountedOnce() {
        try (RedisTopology topology = RedisTopology.start(2, PASSWORD)) {
            assertEquals(2, topology.replicas().size());
            try (Jedis master = topology.jedis(topology.master())) {
                assertEquals("OK", master.set("harness:key", "v1"));
            }
            for (RedisServer replica : topology.replicas()) {
                try (Jedis jedis = topology.jedis(replica)) {
                    Wait.until(DEADLINE, () -> "v1".equals(jedis.get("harness:key")),
                            "replica " + replica + " to return harness:key");
                }
            }
            topology.awaitReplicasCaughtUp(DEADLINE);
            assertEquals(1, topology.commandCalls(topology.master(), "set"));
            assertEquals(0, topology.commandCalls(topology.master(), "no-such-command"));

            topology.resetStats();
            assertEquals(0, topology.commandCalls(topology.master(), "SET"));
        }
    }

    @Test
    void killedReplicaIsRestartedAndCatchesUp() {
        try (RedisTopology topology = RedisTopology.start(2, PASSWORD)) {
            RedisServer replica = topology.replicas().get(0);
            long oldPid = replica.pid();

            replica.kill();
            assertTrue(!replica.isAlive(), "replica process should be gone after kill()");
            try (Jedis master = topology.jedis(topology.master())) {
                // The master notices the dead link when the socket closes; wait for that.
                Wait.until(DEADLINE, () -> master.info("replication").contains("connected_slaves:1"),
                        "master to see only one replica after the kill");
                // Written while the replica is down: it must arrive after the restart.
                master.set("harness:while-down", "v2");
            }

            replica.restart();
            assertNotEquals(oldPid, replica.pid(), "restart() should start a new process");
            topology.awaitReplicationUp(DEADLINE);
            topology.awaitReplicasCaughtUp(DEADLINE);
            try (Jedis jedis = topology.jedis(replica)) {
                assertEquals("v2", jedis.get("harness:while-down"));
            }
        }
    }

    @Test
    void pausedReplicaStopsAnsweringUntilResumed() {
        try (RedisTopology topology = RedisTopology.start(2, PASSWORD)) {
            RedisServer replica = topology.replicas().get(1);

            replica.pause();
            // The kernel still accepts the TCP connection, so the failure is a read timeout
            // (during AUTH or PING), which is exactly what a hung server looks like.
            assertThrows(JedisConnectionException.class, () -> {
                try (Jedis jedis = topology.jedis(replica, Duration.ofMillis(300))) {
                    jedis.ping();
                }
            }, "a paused replica must not answer");

            replica.resume();
            try (Jedis jedis = topology.jedis(replica, Duration.ofSeconds(2))) {
                assertEquals("PONG", jedis.ping());
            }
            topology.awaitReplicasCaughtUp(DEADLINE);
        }
    }
}
