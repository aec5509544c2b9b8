package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RedisServer;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** A replica dies under load: clients see no error, and the replica serves reads again once it is back. */
class ReplicaFailureIT {

    @Test
    void replicaKilledMidLoadCostsClientsNothing() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "io-threads 2")) {
            try (Jedis j = proxy.jedis()) {
                for (int i = 0; i < 100; i++) {
                    j.set("load:" + i, "v" + i);
                }
            }
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong requests = new AtomicLong();
            AtomicLong readsDuringOutage = new AtomicLong();
            AtomicBoolean outage = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<List<String>>> clients = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                int id = c;
                clients.add(pool.submit(() -> runClient(proxy, id, running, requests, outage, readsDuringOutage)));
            }
            RedisServer victim = topology.replicas().get(0);
            long before = requests.get();
            Wait.until(Duration.ofSeconds(10), () -> requests.get() > before + 2000, "load running");
            victim.kill();
            outage.set(true);
            long atKill = requests.get();
            Wait.until(Duration.ofSeconds(10), () -> requests.get() > atKill + 5000, "load continuing after the kill");

            victim.restart();
            topology.awaitReplicationUp(Duration.ofSeconds(20));
            outage.set(false);
            topology.resetStats();
            Wait.until(Duration.ofSeconds(15), () -> topology.commandCalls(victim, "get") > 100,
                    "the restarted replica serving reads again");

            running.set(false);
            List<String> errors = new ArrayList<>();
            for (Future<List<String>> f : clients) {
                errors.addAll(f.get(30, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(List.of(), errors, "client-visible errors");
            assertTrue(readsDuringOutage.get() > 1000, "reads while the replica was down: " + readsDuringOutage);
        }
    }

    @Test
    void aHungReplicaIsDetectedByTimeoutAndItsReadsGoElsewhere() throws Exception {
        try (RedisTopology topology = RedisTopology.start(2, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "health-check-timeout 500")) {
            try (Jedis j = proxy.jedis()) {
                for (int i = 0; i < 100; i++) {
                    j.set("load:" + i, "v" + i);
                }
            }
            topology.awaitReplicasCaughtUp(Duration.ofSeconds(10));
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong requests = new AtomicLong();
            AtomicBoolean outage = new AtomicBoolean();
            AtomicLong readsDuringOutage = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<List<String>>> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int id = c;
                clients.add(pool.submit(() -> runClient(proxy, id, running, requests, outage, readsDuringOutage)));
            }
            RedisServer victim = topology.replicas().get(0);
            long before = requests.get();
            Wait.until(Duration.ofSeconds(10), () -> requests.get() > before + 2000, "load running");
            victim.pause(); // SIGSTOP: its sockets stay open, it just stops answering
            outage.set(true);
            try {
                long atPause = requests.get();
                Wait.until(Duration.ofSeconds(15), () -> requests.get() > atPause + 5000,
                        "reads continuing while the replica hangs");
            } finally {
                victim.resume();
            }
            outage.set(false);
            topology.awaitReplicationUp(Duration.ofSeconds(20));
            running.set(false);
            List<String> errors = new ArrayList<>();
            for (Future<List<String>> f : clients) {
                errors.addAll(f.get(30, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(List.of(), errors, "client-visible errors");
        }
    }

    @Test
    void aReplicaLaggingMoreThanReplicaMaxLagServesNoReads() throws Exception {
        try (RedisTopology topology = RedisTopology.start(1, "node-secret");
             ProxyUnderTest proxy = ProxyUnderTest.start(topology, "replica-max-lag 1kb",
                     "health-check-timeout 60000")) {
            RedisServer replica = topology.replicas().get(0);
            replica.pause(); // still "up" for a minute (health-check-timeout), but it falls behind
            try (Jedis m = topology.jedis(topology.master())) {
                m.set("lag:big", "x".repeat(10_000));
                long offset = Long.parseLong(m.info("replication").lines()
                        .filter(l -> l.startsWith("master_repl_offset:")).findFirst().orElseThrow()
                        .substring("master_repl_offset:".length()).trim());
                Wait.until(Duration.ofSeconds(5), () -> proxy.proxy().context().topology().current().master()
                        .state().offset() >= offset, "the proxy sampled the master's new offset");
                m.configResetStat(); // the master only: the paused replica cannot answer
                try (Jedis j = proxy.jedis()) { // a fresh connection: no read-your-writes pin to the master
                    assertEquals(10_000, j.get("lag:big").length());
                }
                assertEquals(1, topology.commandCalls(topology.master(), "get"), "served by the master");
            } finally {
                replica.resume();
            }
        }
    }

    private static List<String> runClient(ProxyUnderTest proxy, int id, AtomicBoolean running, AtomicLong requests,
                                          AtomicBoolean outage, AtomicLong readsDuringOutage) {
        List<String> errors = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (Jedis writer = proxy.jedis(); Jedis reader = proxy.jedis()) {
            int i = 0;
            while (running.get() && System.nanoTime() < deadline) {
                try {
                    int k = i % 100;
                    String got = reader.get("load:" + k);
                    if (!("v" + k).equals(got)) {
                        errors.add("GET load:" + k + " returned " + got);
                    }
                    if (outage.get()) {
                        readsDuringOutage.incrementAndGet();
                    }
                    if (i % 10 == 0) {
                        writer.set("load:own:" + id, "w" + i);
                    }
                    requests.incrementAndGet();
                } catch (RuntimeException e) {
                    errors.add(e.toString());
                    if (errors.size() > 20) {
                        break;
                    }
                }
                i++;
            }
        }
        return errors;
    }
}
