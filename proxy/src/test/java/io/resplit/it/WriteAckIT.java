package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/** write-ack-replicas: a write's reply reaches the client only once a replica has it; one WAIT per batch. */
class WriteAckIT {

    @Test
    void anAcknowledgedWriteIsAlreadyOnTheReplica() {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "write-ack-replicas 1", "write-ack-timeout 2000");
             Jedis client = proxy.jedis();
             Jedis replica = topology.jedis(topology.replicas().get(0))) {
            for (int i = 0; i < 200; i++) {
                assertEquals("OK", client.set("ack:" + i, "v" + i));
                // no wait of any kind: the reply came after the replica acknowledged the write
                assertEquals("v" + i, replica.get("ack:" + i), "write " + i + " acknowledged before it replicated");
            }
        }
    }

    @Test
    void pipelinedWritesShareOneWaitPerBatch() {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "write-ack-replicas 1");
             Jedis client = proxy.jedis()) {
            topology.resetStats();
            int writes = 2000;
            Pipeline p = client.pipelined();
            List<Response<String>> replies = new ArrayList<>();
            for (int i = 0; i < writes; i++) {
                replies.add(p.set("batch:" + i, "x"));
            }
            p.sync();
            for (Response<String> r : replies) {
                assertEquals("OK", r.get());
            }
            long waits = topology.commandCalls(topology.master(), "wait");
            long sets = topology.commandCalls(topology.master(), "set");
            System.out.println("write-ack group commit: " + sets + " SETs, " + waits + " WAITs");
            assertEquals(writes, sets);
            assertTrue(waits >= 1 && waits * 10 <= writes, waits + " WAITs for " + writes + " pipelined writes");
        }
    }

    @Test
    void aWriteNoReplicaAcknowledgesInTimeGetsAnErrorSayingItRan() {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "write-ack-replicas 1", "write-ack-timeout 300");
             Jedis client = proxy.jedis()) {
            RedisServer replica = topology.replicas().get(0);
            replica.pause();
            try {
                JedisDataException e = assertThrows(JedisDataException.class, () -> client.set("late", "1"));
                assertTrue(e.getMessage().contains("write-ack-timeout") && e.getMessage().contains("ran on the master"),
                        e.getMessage());
                assertEquals("1", client.get("late"), "the write did run on the master");
                assertEquals("PONG", client.ping(), "the connection stays usable");
            } finally {
                replica.resume();
            }
            // the resumed replica acknowledges again once it has caught up with what it missed (a WAIT of 300 ms
            // may still pass first): writes are acknowledged again, without a reconnect
            io.resplit.testing.Wait.until(java.time.Duration.ofSeconds(10), () -> {
                try {
                    return "OK".equals(client.set("after", "1"));
                } catch (JedisDataException stillCatchingUp) {
                    return false;
                }
            }, "writes acknowledged again after the replica resumed");
        }
    }
}
