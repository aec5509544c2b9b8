package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisTopology;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** How the proxy authenticates to backends: with masteruser + masterauth, and what a wrong password does. */
class BackendAuthIT {

    @Test
    void aclUserAndPasswordAreUsedOnEveryBackendConnection() {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret")) {
            for (var node : topology.nodes()) {
                try (Jedis j = topology.jedis(node)) {
                    j.aclSetUser("proxyuser", "on", ">proxy-user-pass", "~*", "+@all");
                }
            }
            try (ProxyUnderTest proxy = ProxyUnderTest.start(topology, "masteruser proxyuser",
                    "masterauth proxy-user-pass"); Jedis j = proxy.jedis()) {
                j.set("acl:key", "v");
                assertEquals("v", j.get("acl:key"));
                try (Jedis m = topology.jedis(topology.master())) {
                    assertTrue(m.clientList().lines().anyMatch(l -> l.contains(" name=resplit ")
                            && l.contains(" user=proxyuser ")), m.clientList());
                }
            }
        }
    }

    @Test
    void aWrongBackendPasswordMarksNodesDownAndClientsGetAnErrorNotAHang() {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "masterauth not-the-password",
                     "failover-hold-timeout 0");
             Jedis j = proxy.jedis()) {
            assertFalse(proxy.proxy().context().topology().current().master().isUp());
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.set("k", "v"));
            assertTrue(e.getMessage().contains("unavailable") && e.getMessage().contains("WRONGPASS"),
                    e.getMessage());
            e = assertThrows(JedisDataException.class, () -> j.get("k"));
            assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
            assertFalse(e.getMessage().contains("not-the-password"), "never echo a password");
        }
    }
}
