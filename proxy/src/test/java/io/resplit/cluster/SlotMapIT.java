package io.resplit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.config.HostPort;
import io.resplit.testing.RedisCluster;
import io.resplit.testing.RedisServer;
import io.resplit.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * The slot map and key slots against a real cluster (3 masters, 1 replica each, password): what CLUSTER SHARDS
 * and CLUSTER SLOTS say, read the way the proxy reads replies, and the slot of every key as the nodes compute it.
 */
class SlotMapIT {
    private static RedisCluster cluster;

    @BeforeAll
    static void start() {
        cluster = RedisCluster.start(3, 1, "cluster-secret");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A reply as Jedis returns it (byte[] and Long in lists) in the form RespValues gives (String and Long). */
    private static Object plain(Object o) {
        if (o instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(plain(x)));
            return out;
        }
        return o;
    }

    private static List<?> ask(String... args) {
        try (Jedis j = cluster.jedis(cluster.nodes().get(0))) {
            return (List<?>) plain(j.sendCommand(Protocol.Command.CLUSTER, args));
        }
    }

    @Test
    void clusterShardsAndClusterSlotsGiveTheSameCompleteMap() {
        for (RedisServer n : cluster.nodes()) { // a write, so that replicas show in CLUSTER SLOTS (gossip)
            try (Jedis j = cluster.jedis(n)) {
                if (j.role().get(0).equals("master")) {
                    j.set("{" + n.port() + "}", "x");
                }
            } catch (redis.clients.jedis.exceptions.JedisDataException moved) {
                // the key's slot is elsewhere: another master's write will do
            }
        }
        // a node learns the others' roles by gossip: a replica may be missing from its answer for a moment
        SlotMap fromShards = Wait.until(Duration.ofSeconds(20), () -> {
            SlotMap m = SlotMap.fromClusterShards(ask("SHARDS"), false);
            return m.shards().size() == 3 && m.shards().stream().allMatch(s -> s.replicas().size() == 1) ? m : null;
        }, "CLUSTER SHARDS lists 3 shards with one replica each");
        assertTrue(fromShards.complete(), "every slot served");
        assertEquals(16384, fromShards.shards().stream().mapToInt(SlotMap.Shard::slotCount).sum());
        Set<HostPort> masters = fromShards.shards().stream().map(SlotMap.Shard::master).collect(Collectors.toSet());

        SlotMap fromSlots = Wait.until(Duration.ofSeconds(20), () -> {
            SlotMap m = SlotMap.fromClusterSlots(ask("SLOTS"));
            return m.shards().stream().allMatch(s -> s.replicas().size() == 1) ? m : null;
        }, "CLUSTER SLOTS lists every replica");
        assertTrue(fromSlots.complete());
        assertEquals(masters, fromSlots.shards().stream().map(SlotMap.Shard::master).collect(Collectors.toSet()));
        for (int slot = 0; slot < HashSlot.SLOTS; slot++) {
            assertEquals(fromShards.shardOf(slot).master(), fromSlots.shardOf(slot).master(), "slot " + slot);
        }
    }

    @Test
    void keySlotsMatchTheNodesAndTheMapNamesTheMasterThatTakesTheWrite() {
        SlotMap map = SlotMap.fromClusterShards(ask("SHARDS"), false);
        Random random = new Random(5);
        try (Jedis any = cluster.jedis(cluster.nodes().get(0))) {
            for (int i = 0; i < 500; i++) {
                String key = i % 5 == 0 ? "{tag" + random.nextInt(50) + "}:" + i : "key:" + random.nextLong();
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                assertEquals(any.clusterKeySlot(key), HashSlot.of(bytes), key);
                if (i % 25 == 0) {
                    HostPort master = map.shardOf(bytes).master();
                    RedisServer node = cluster.nodes().stream().filter(n -> n.port() == master.port()).findFirst()
                            .orElseThrow();
                    try (Jedis j = cluster.jedis(node)) {
                        assertEquals("OK", j.set(key, "v"), "the map's master for " + key + " takes it (no MOVED)");
                    }
                }
            }
        }
    }
}
