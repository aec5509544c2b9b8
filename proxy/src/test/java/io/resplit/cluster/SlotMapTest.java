package io.resplit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resplit.config.HostPort;
import io.resplit.resp.RespValues;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The slot map read from CLUSTER SHARDS and CLUSTER SLOTS replies as Redis 7.0 sends them (RESP2 wire bytes),
 * with nodes announced by IP, by hostname ({@code cluster-announce-hostname} with {@code
 * cluster-preferred-endpoint-type hostname}), and by hostname where one node announces none ({@code ?}).
 */
class SlotMapTest {
    private static List<?> reply(String wire) {
        ByteBuf frame = Unpooled.copiedBuffer(wire.replace("\n", "\r\n"), StandardCharsets.US_ASCII);
        try {
            return (List<?>) RespValues.read(frame);
        } finally {
            frame.release();
        }
    }

    private static String shardsNode(String endpoint, String hostname, String ip, int port, String role) {
        StringBuilder b = new StringBuilder();
        int fields = hostname == null ? 7 : 8;
        b.append('*').append(fields * 2).append('\n');
        b.append(bulk("id")).append(bulk("a".repeat(40)));
        b.append(bulk("port")).append(':').append(port).append('\n');
        b.append(bulk("ip")).append(bulk(ip));
        b.append(bulk("endpoint")).append(bulk(endpoint));
        if (hostname != null) {
            b.append(bulk("hostname")).append(bulk(hostname));
        }
        b.append(bulk("role")).append(bulk(role));
        b.append(bulk("replication-offset")).append(":42\n");
        b.append(bulk("health")).append(bulk("online"));
        return b.toString();
    }

    /** A CLUSTER SHARDS node of a cluster with tls-cluster yes: its plaintext port (0: none) and its TLS port. */
    private static String tlsShardsNode(String ip, int port, int tlsPort, String role) {
        StringBuilder b = new StringBuilder();
        b.append('*').append((port == 0 ? 7 : 8) * 2).append('\n');
        b.append(bulk("id")).append(bulk("a".repeat(40)));
        if (port != 0) {
            b.append(bulk("port")).append(':').append(port).append('\n');
        }
        b.append(bulk("tls-port")).append(':').append(tlsPort).append('\n');
        b.append(bulk("ip")).append(bulk(ip));
        b.append(bulk("endpoint")).append(bulk(ip));
        b.append(bulk("role")).append(bulk(role));
        b.append(bulk("replication-offset")).append(":42\n");
        b.append(bulk("health")).append(bulk("online"));
        return b.toString();
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\n" + s + "\n";
    }

    private static String shards(String master, String replica) {
        return "*1\n*4\n" + bulk("slots") + "*2\n:0\n:16383\n" + bulk("nodes") + "*2\n" + master + replica;
    }

    @Test
    void clusterShardsByIp() {
        SlotMap map = SlotMap.fromClusterShards(reply(shards(
                shardsNode("10.0.0.1", null, "10.0.0.1", 7000, "master"),
                shardsNode("10.0.0.2", null, "10.0.0.2", 7001, "replica"))), false);
        assertEquals(new HostPort("10.0.0.1", 7000), map.shardOf(0).master());
        assertEquals(List.of(new HostPort("10.0.0.2", 7001)), map.shardOf(16383).replicas());
    }

    @Test
    void clusterShardsByHostnameTakeTheEndpointRedirectionsName() {
        SlotMap map = SlotMap.fromClusterShards(reply(shards(
                shardsNode("node-a.example", "node-a.example", "10.0.0.1", 7000, "master"),
                shardsNode("?", null, "10.0.0.2", 7001, "replica"))), false); // no hostname announced: its IP
        assertEquals(new HostPort("node-a.example", 7000), map.shardOf(0).master());
        assertEquals(List.of(new HostPort("10.0.0.2", 7001)), map.shardOf(0).replicas());
    }

    @Test
    void clusterShardsWithAHostnameButIpEndpoints() {
        SlotMap map = SlotMap.fromClusterShards(reply(shards(
                shardsNode("10.0.0.1", "node-a.example", "10.0.0.1", 7000, "master"),
                shardsNode("10.0.0.2", "node-b.example", "10.0.0.2", 7001, "replica"))), false);
        assertEquals(new HostPort("10.0.0.1", 7000), map.shardOf(0).master());
    }

    @Test
    void aTlsProxyTakesTheTlsPortsAndAPlaintextOneThePlaintextPorts() {
        String wire = shards(tlsShardsNode("10.0.0.1", 7000, 8000, "master"),
                tlsShardsNode("10.0.0.2", 7001, 8001, "replica"));
        SlotMap tls = SlotMap.fromClusterShards(reply(wire), true);
        assertEquals(new HostPort("10.0.0.1", 8000), tls.shardOf(0).master());
        assertEquals(List.of(new HostPort("10.0.0.2", 8001)), tls.shardOf(0).replicas());
        SlotMap plain = SlotMap.fromClusterShards(reply(wire), false);
        assertEquals(new HostPort("10.0.0.1", 7000), plain.shardOf(0).master());
    }

    @Test
    void tlsOnlyNodesAreLeftOutOfAPlaintextProxysMapAndServeATlsOne() {
        String wire = shards(tlsShardsNode("10.0.0.1", 0, 8000, "master"),
                tlsShardsNode("10.0.0.2", 0, 8001, "replica"));
        assertEquals(new HostPort("10.0.0.1", 8000), SlotMap.fromClusterShards(reply(wire), true).shardOf(0).master());
        SlotMap plain = SlotMap.fromClusterShards(reply(wire), false);
        assertNull(plain.shardOf(0), "no node it can reach: the shard is not in the map");
        assertFalse(plain.complete());
    }

    @Test
    void aTlsProxyInFrontOfAClusterThatListsNoTlsPortsTakesTheirPorts() {
        SlotMap map = SlotMap.fromClusterShards(reply(shards(
                shardsNode("10.0.0.1", null, "10.0.0.1", 7000, "master"),
                shardsNode("10.0.0.2", null, "10.0.0.2", 7001, "replica"))), true);
        assertEquals(new HostPort("10.0.0.1", 7000), map.shardOf(0).master());
    }

    private static String slotsNode(String endpoint, int port, String metaName, String metaValue) {
        String first = endpoint == null ? "$-1\n" : bulk(endpoint);
        String meta = metaName == null ? "*0\n" : "*2\n" + bulk(metaName) + bulk(metaValue);
        return "*4\n" + first + ":" + port + "\n" + bulk("b".repeat(40)) + meta;
    }

    @Test
    void clusterSlotsByHostnameAndUnknownEndpoint() {
        String wire = "*2\n"
                + "*4\n:0\n:8191\n" + slotsNode("node-a.example", 7000, "ip", "10.0.0.1")
                + slotsNode("?", 7001, "ip", "10.0.0.2")
                + "*3\n:8192\n:16383\n" + slotsNode(null, 7002, "hostname", "node-c.example");
        SlotMap map = SlotMap.fromClusterSlots(reply(wire));
        assertEquals(new HostPort("node-a.example", 7000), map.shardOf(0).master());
        assertEquals(List.of(new HostPort("10.0.0.2", 7001)), map.shardOf(0).replicas());
        assertEquals(new HostPort("node-c.example", 7002), map.shardOf(8192).master());
    }

    @Test
    void clusterSlotsOfOldServersWithoutMetadata() {
        String wire = "*1\n*3\n:0\n:16383\n*3\n" + bulk("10.0.0.1") + ":7000\n" + bulk("c".repeat(40));
        assertEquals(new HostPort("10.0.0.1", 7000), SlotMap.fromClusterSlots(reply(wire)).shardOf(5).master());
    }

    @Test
    void aNodeWithoutAnyAddressIsRefusedWithAClearMessage() {
        String wire = "*1\n*3\n:0\n:16383\n" + slotsNode(null, 7000, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SlotMap.fromClusterSlots(reply(wire)));
        assertEquals("cluster node without an address (endpoint null, hostname null, ip null)", e.getMessage());
    }
}
