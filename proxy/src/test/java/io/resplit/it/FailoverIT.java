package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.LoadVerifier;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.TwoProxyLoad;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Planned failovers from the admin console under load: no client error, no dropped connection, no lost write. */
class FailoverIT {

    @Test
    void failoversBackAndForthUnderLoadAreInvisibleToClients() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) {
            LoadVerifier load = new LoadVerifier(20, proxy::jedis, 50, 120);
            RedisServer a = topology.master();
            RedisServer b = topology.replicas().get(0);
            List<String> answers = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                RedisServer target = round % 2 == 0 ? b : a;
                long before = load.writes();
                Wait.until(Duration.ofSeconds(20), () -> load.writes() > before + 500, "load running");
                String out = proxy.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(target.port()),
                        "TIMEOUT", "5000");
                answers.add(out);
                assertTrue(out.startsWith("OK master=127.0.0.1:" + target.port()), out);
                awaitReplicating(topology, target); // every other node replicating the new master
            }
            long after = load.writes();
            Wait.until(Duration.ofSeconds(20), () -> load.writes() > after + 500, "load running after the failovers");
            LoadVerifier.Report report = load.stop();
            System.out.println("failover answers: " + answers);
            System.out.println("load report: " + report);
            assertEquals(List.of(), report.errors(), "client-visible errors");
            assertEquals(0, report.droppedConnections());
            assertEquals(0, report.staleReads(), "stale reads of a connection's own writes");
            try (Jedis master = topology.jedis(a)) { // ten failovers: the original master is master again
                assertTrue(master.info("replication").contains("role:master"));
                assertEquals(List.of(), load.lostWrites(master), "acknowledged writes lost");
            }
            assertTrue(proxy.admin("STATUS").contains("failovers:10"), proxy.admin("STATUS"));
        }
    }

    @Test
    void aFailoverOnOneProxyLosesNoWriteMadeThroughAnother() throws Exception {
        // the old master's writes are paused (CLIENT PAUSE WRITE) from the catch-up to its demotion, so a write
        // through the second proxy either ran before the target caught up or is refused READONLY and re-sent
        try (RedisTopology topology = RedisTopology.startForFailover(2, "node-secret");
             ProxyUnderTest one = ProxyUnderTest.start(topology);
             ProxyUnderTest two = ProxyUnderTest.start(topology)) {
            TwoProxyLoad load = new TwoProxyLoad(one, two, 10);
            RedisServer a = topology.master();
            RedisServer b = topology.replicas().get(0);
            List<String> answers = new ArrayList<>();
            for (RedisServer target : List.of(b, a, b, a)) {
                load.awaitProgress(300, "load running on both proxies");
                String out = one.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(target.port()),
                        "TIMEOUT", "5000");
                answers.add(out);
                assertTrue(out.startsWith("OK master=127.0.0.1:" + target.port()), out);
                awaitReplicating(topology, target);
                Wait.until(Duration.ofSeconds(20), () -> two.admin("STATUS").lines()
                        .anyMatch(l -> l.strip().equals("master:127.0.0.1:" + target.port())), "proxy two follows");
            }
            load.awaitProgress(300, "load running after the failovers");
            try (Jedis master = topology.jedis(a)) {
                load.stopAndAssertInvisible(master, "two proxies, FAILOVER on one: " + answers);
            }
        }
    }

    @Test
    void aTargetThatCannotCatchUpAbortsTheFailoverAndWritesGoOn() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "health-check-timeout 5000")) {
            LoadVerifier load = new LoadVerifier(10, proxy::jedis, 20, 60);
            RedisServer target = topology.replicas().get(0);
            long before = load.writes();
            Wait.until(Duration.ofSeconds(20), () -> load.writes() > before + 200, "load running");
            target.pause(); // it cannot receive the writes that follow
            String out;
            try {
                Wait.until(Duration.ofSeconds(20), () -> load.writes() > before + 400, "writes the target misses");
                out = proxy.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(target.port()), "TIMEOUT", "300");
            } finally {
                target.resume();
            }
            assertTrue(out.contains("aborted"), out);
            long after = load.writes();
            Wait.until(Duration.ofSeconds(20), () -> load.writes() > after + 200, "writes go on to the old master");
            LoadVerifier.Report report = load.stop();
            assertEquals(List.of(), report.errors());
            try (Jedis master = topology.jedis(topology.master())) {
                assertTrue(master.info("replication").contains("role:master"), "the old master stays master");
                assertEquals(List.of(), load.lostWrites(master));
            }
        }
    }

    @Test
    void masterSetFollowsAPromotionMadeByHand() throws Exception {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) {
            RedisServer replica = topology.replicas().get(0);
            try (Jedis j = proxy.jedis()) {
                j.set("ms:before", "1");
            }
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            try (Jedis r = topology.jedis(replica); Jedis m = topology.jedis(topology.master())) {
                r.replicaofNoOne();
                m.configSet("masterauth", "node-secret");
                m.replicaof("127.0.0.1", replica.port());
            }
            assertEquals("OK", proxy.admin("MASTER", "SET", "127.0.0.1", Integer.toString(replica.port())));
            try (Jedis j = proxy.jedis()) {
                j.set("ms:after", "2");
                assertEquals("2", j.get("ms:after"));
            }
            try (Jedis r = topology.jedis(replica)) {
                assertEquals("2", r.get("ms:after"), "the write went to the node promoted by hand");
            }
            assertTrue(proxy.admin("BACKENDS").contains("addr=127.0.0.1:" + replica.port() + " role=master"),
                    proxy.admin("BACKENDS"));
        }
    }

    @Test
    void aFailoverRunByRedisItselfIsFollowedWithoutClientErrors() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) {
            LoadVerifier load = new LoadVerifier(20, proxy::jedis, 50, 120);
            RedisServer target = topology.replicas().get(0);
            long before = load.writes();
            Wait.until(Duration.ofSeconds(20), () -> load.writes() > before + 500, "load running");
            try (Jedis m = topology.jedis(topology.master())) {
                m.configSet("masterauth", "node-secret"); // so the demoted master can replicate
                // Redis's own coordinated failover: pauses writers, waits for the replica, swaps the roles;
                // writes that reach the demoted master afterwards are answered READONLY
                m.sendCommand(redis.clients.jedis.Protocol.Command.FAILOVER, "TO", "127.0.0.1",
                        Integer.toString(target.port()), "TIMEOUT", "5000");
            }
            // Redis swaps only the two roles: the other replica now replicates through the old master
            RedisServer oldMaster = topology.master();
            Wait.until(Duration.ofSeconds(30), () -> {
                try (Jedis t = topology.jedis(target); Jedis o = topology.jedis(oldMaster)) {
                    return t.info("replication").contains("role:master")
                            && o.info("replication").contains("master_link_status:up");
                }
            }, "roles swapped by Redis");
            Wait.until(Duration.ofSeconds(10), () -> proxy.admin("BACKENDS")
                    .contains("addr=127.0.0.1:" + target.port() + " role=master"), "the proxy followed the change");
            long after = load.writes();
            Wait.until(Duration.ofSeconds(20), () -> load.writes() > after + 500, "writes to the new master");
            LoadVerifier.Report report = load.stop();
            System.out.println("external failover load report: " + report);
            assertEquals(List.of(), report.errors(), "client-visible errors");
            assertEquals(0, report.droppedConnections());
            try (Jedis master = topology.jedis(target)) {
                assertEquals(List.of(), load.lostWrites(master), "acknowledged writes lost");
            }
        }
    }

    @Test
    void whenTheMasterDiesWritesAreHeldUntilAnOperatorPromotesAReplica() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "failover-hold-timeout 15000")) {
            LoadVerifier load = new LoadVerifier(20, proxy::jedis, 50, 120);
            long before = load.writes();
            Wait.until(Duration.ofSeconds(20), () -> load.writes() > before + 500, "load running");
            topology.master().kill();
            long atCrash = load.writes();
            RedisServer target = topology.replicas().get(0);
            String out = proxy.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(target.port()), "FORCE");
            assertTrue(out.startsWith("OK master=127.0.0.1:" + target.port()), out);
            Wait.until(Duration.ofSeconds(20), () -> load.writes() > atCrash + 500, "writes to the promoted replica");
            LoadVerifier.Report report = load.stop();
            System.out.println("master crash load report: " + report);
            // only writes in flight at the moment of the crash may fail: at most one per connection
            assertTrue(report.errors().size() <= 20, "errors: " + report.errors());
            for (String e : report.errors()) {
                assertTrue(e.contains("may or may not have run"), e);
            }
            assertEquals(0, report.droppedConnections());
        }
    }

    @Test
    void aBlockedClientBlocksAgainOnTheNewMasterAndGetsItsValue() throws Exception {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) {
            RedisServer target = topology.replicas().get(0);
            try (Jedis blocked = proxy.jedis(); Jedis pusher = proxy.jedis()) {
                java.util.concurrent.CompletableFuture<List<String>> pop =
                        java.util.concurrent.CompletableFuture.supplyAsync(() -> blocked.blpop(20, "fo:queue"));
                Wait.until(Duration.ofSeconds(5), () -> {
                    try (Jedis m = topology.jedis(topology.master())) {
                        return m.info("clients").contains("blocked_clients:1");
                    }
                }, "BLPOP blocked on the master");
                String out = proxy.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(target.port()));
                assertTrue(out.startsWith("OK"), out);
                Wait.until(Duration.ofSeconds(10), () -> {
                    try (Jedis t = topology.jedis(target)) {
                        return t.info("clients").contains("blocked_clients:1");
                    }
                }, "BLPOP blocked again on the new master");
                pusher.rpush("fo:queue", "after-failover");
                assertEquals(List.of("fo:queue", "after-failover"),
                        pop.get(20, java.util.concurrent.TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void transactionsAfterAFailoverUseTheNewMaster() throws Exception {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) {
            try (Jedis before = proxy.jedis()) { // leaves an idle dedicated connection to the first master
                redis.clients.jedis.Transaction t = before.multi();
                t.set("tx:fo", "1");
                assertEquals(List.of("OK"), t.exec());
            }
            RedisServer target = topology.replicas().get(0);
            assertTrue(proxy.admin("FAILOVER", "TO", "127.0.0.1", Integer.toString(target.port())).startsWith("OK"));
            for (int i = 0; i < 3; i++) {
                try (Jedis after = proxy.jedis()) {
                    redis.clients.jedis.Transaction t = after.multi();
                    t.incr("tx:fo");
                    assertEquals(List.of(2L + i), t.exec(), "transaction " + i + " after the failover");
                }
            }
        }
    }

    @Test
    void gracefulShutdownFromTheConsole() throws Exception {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology)) {
            try (Jedis j = proxy.jedis()) {
                j.set("sd:k", "v");
            }
            assertEquals("OK", proxy.admin("SHUTDOWN", "GRACEFUL"));
            Wait.until(Duration.ofSeconds(15), () -> {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.port())) {
                    return false;
                } catch (java.io.IOException refused) {
                    return true;
                }
            }, "the proxy stopped listening");
        }
    }

    private static void awaitReplicating(RedisTopology topology, RedisServer master) {
        Wait.until(Duration.ofSeconds(30), () -> {
            for (RedisServer n : topology.nodes()) {
                try (Jedis j = topology.jedis(n)) {
                    String info = j.info("replication");
                    boolean ok = n == master ? info.contains("role:master") && info.contains("connected_slaves:2")
                            : info.contains("master_port:" + master.port()) && info.contains("master_link_status:up");
                    if (!ok) {
                        return false;
                    }
                }
            }
            return true;
        }, "every node replicating " + master);
    }
}
