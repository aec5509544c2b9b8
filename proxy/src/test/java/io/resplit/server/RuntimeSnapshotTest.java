package io.resplit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.resplit.backend.BackendNode;
import io.resplit.backend.TestNodes;
import io.resplit.command.CommandSpec;
import io.resplit.command.CommandTable;
import io.resplit.command.CommandTableLoader;
import io.resplit.config.ConfigException;
import io.resplit.config.ConfigParser;
import io.resplit.config.ProxyConfig;
import io.resplit.config.ReadFrom;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.route.LeastOutstandingPolicy;
import io.resplit.route.Route;
import io.resplit.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime state is published whole: a snapshot taken before a change keeps every old value, one taken after
 * has every new one, a change that fails publishes nothing, a reader racing a writer never sees a mix, and a
 * topology swap and a reconfigure racing on two threads are both kept.
 */
class RuntimeSnapshotTest {
    private static final CommandTable TABLE = CommandTableLoader.builtIn();
    private static final CommandSpec GET = TABLE.find("get");
    private static final CommandSpec DEBUG = TABLE.find("debug"); // an admin command

    private final ProxyConfig open = ProxyConfig.defaults(); // replicas read, no password, no admin commands
    private final ProxyConfig locked = with(with(with(with(open, "read-from", "master"), "requirepass", "secret"),
            "allow-admin-commands", "yes"), "replica-max-lag", "1");
    private EventLoopGroup loops; // one loop, never used: the context indexes its loops and meters them
    private ProxyContext ctx;

    @BeforeEach
    void start() {
        loops = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        ctx = new ProxyContext(open, TABLE, new Topology(TestNodes.node(1), List.of()),
                new LeastOutstandingPolicy(), loops, "nio", ProxyMetrics.disabled(), null, null);
    }

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSnapshotTakenBeforeAReconfigureKeepsEveryOldValueAndOneTakenAfterHasEveryNewOne() {
        RuntimeSnapshot before = ctx.runtime();
        ctx.reconfigure(locked);
        RuntimeSnapshot after = ctx.runtime();

        assertSame(open, before.config());
        assertEquals(Route.REPLICA, before.router().route(GET));
        assertEquals(Route.REFUSED, before.router().route(DEBUG));
        assertTrue(before.acl().defaultUser().nopass());

        assertSame(locked, after.config());
        assertEquals(Route.MASTER, after.router().route(GET));
        assertEquals(Route.MASTER, after.router().route(DEBUG));
        assertFalse(after.acl().defaultUser().nopass());
        assertNotSame(before.acl(), after.acl());
        // what the master told, not the config, carries over
        assertSame(before.table(), after.table());
        assertEquals(before.backendVersion(), after.backendVersion());
        assertEquals(before.databases(), after.databases());
    }

    @Test
    void aReconfigureWithBadUsersPublishesNothing() {
        RuntimeSnapshot before = ctx.runtime();
        ProxyConfig bad = with(locked, "user", "u on >pw +nosuchcommand");
        assertThrows(ConfigException.class, () -> ctx.reconfigure(bad));
        assertThrows(ConfigException.class, () -> ctx.checkUsers(bad));
        assertSame(before, ctx.runtime());
    }

    @Test
    void whatTheMasterTellsReplacesItsOwnPartsOnly() {
        RuntimeSnapshot before = ctx.runtime();
        CommandTable master = CommandTableLoader.builtIn();
        ctx.table(master);
        ctx.backendVersion("7.2.4");
        ctx.masterDatabases(4);
        RuntimeSnapshot after = ctx.runtime();

        assertSame(master, after.table());
        assertNotSame(before.acl(), after.acl()); // compiled again against the master's table
        assertTrue(after.acl().version() != before.acl().version());
        assertEquals("7.2.4", after.backendVersion());
        assertEquals(4, after.databases());
        assertSame(before.config(), after.config());
        assertSame(before.router(), after.router());
        // the snapshot taken first is untouched by all three
        assertSame(TABLE, before.table());
        assertEquals(RuntimeSnapshot.ASSUMED_VERSION, before.backendVersion());
        assertEquals(16, before.databases());

        ctx.reconfigure(locked); // the database count is fixed at start: the master's lower one stays
        assertEquals(4, ctx.runtime().databases());
        assertSame(master, ctx.runtime().table());
    }

    @Test
    void aReaderRacingReconfiguresNeverSeesHalfOfOne() throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch reading = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                reading.await(); // so that the two overlap
                for (int i = 0; i < 2_000; i++) {
                    ctx.reconfigure(i % 2 == 0 ? locked : open);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "reconfigure");
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
            RuntimeSnapshot now = ctx.runtime();
            reading.countDown();
            boolean replicasRead = now.config().readFrom() == ReadFrom.REPLICAS;
            assertEquals(replicasRead ? Route.REPLICA : Route.MASTER, now.router().route(GET));
            assertEquals(now.config().requirepass() == null, now.acl().defaultUser().nopass());
        } while (writer.isAlive() && System.nanoTime() < deadline);
        writer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(writer.isAlive(), "the writer did not finish in time");
        assertNull(failure.get());
    }

    @Test
    void aSwapPublishesTheTopologyWithTheRestOfTheLatestSnapshot() {
        RuntimeSnapshot before = ctx.runtime();
        Topology next = new Topology(TestNodes.node(2), List.of(TestNodes.node(3)));
        ctx.topology().swap(next);
        RuntimeSnapshot after = ctx.runtime();

        assertSame(next, after.topology());
        assertSame(next, ctx.topology().current()); // the failover code's view reads the same snapshot
        assertNotSame(next, before.topology());
        assertSame(before.config(), after.config());
        assertSame(before.table(), after.table());
        assertSame(before.acl(), after.acl());
        assertSame(before.router(), after.router());

        ctx.reconfigure(locked); // and a reconfigure keeps the topology
        assertSame(next, ctx.runtime().topology());
        assertSame(locked, ctx.runtime().config());
    }

    @Test
    void aSwapAndAReconfigureRacingOnTwoThreadsAreBothKept() throws InterruptedException {
        // numbered changes: topology i has sinceSample i, config i has replica-max-lag LAG + i
        List<Topology> topologies = topologies();
        List<ProxyConfig> configs = configs();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch reading = new CountDownLatch(1);
        // each thread alone changes its part: after its change, an older value there means the other thread
        // published a snapshot built from one taken before, over it (a lost update)
        Thread swaps = started("swap", reading, failure, i -> {
            ctx.topology().swap(topologies.get(i));
            assertTrue(ctx.runtime().topology().sinceSample() >= i, "swap " + i + " was lost");
        });
        Thread reconfigures = started("reconfigure", reading, failure, i -> {
            ctx.reconfigure(configs.get(i));
            assertTrue(configIndex(ctx.runtime()) >= i, "reconfigure " + i + " was lost");
        });
        long lastTopology = 0;
        long lastConfig = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do { // neither part ever goes back, as it would where a change was lost
            RuntimeSnapshot now = ctx.runtime();
            reading.countDown();
            assertTrue(now.topology().sinceSample() >= lastTopology, "the topology went back");
            assertTrue(configIndex(now) >= lastConfig, "the config went back");
            lastTopology = now.topology().sinceSample();
            lastConfig = configIndex(now);
        } while ((swaps.isAlive() || reconfigures.isAlive()) && System.nanoTime() < deadline);
        joined(swaps, reconfigures);
        assertNull(failure.get());
        assertSame(topologies.get(CHANGES), ctx.runtime().topology());
        assertSame(configs.get(CHANGES), ctx.runtime().config());
    }

    @Test
    void aReaderSeesTheTopologyAndTheConfigOfOneSnapshot() throws InterruptedException {
        List<Topology> topologies = topologies();
        List<ProxyConfig> configs = configs();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch reading = new CountDownLatch(1);
        // one writer, topology i then config i: the states published have config i - 1 or i with topology i
        Thread writer = started("swap, then reconfigure", reading, failure, i -> {
            ctx.topology().swap(topologies.get(i));
            ctx.reconfigure(configs.get(i));
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
            RuntimeSnapshot now = ctx.runtime();
            reading.countDown();
            long ahead = now.topology().sinceSample() - configIndex(now);
            assertTrue(ahead == 0 || ahead == 1, "topology " + now.topology().sinceSample() + " with config "
                    + configIndex(now) + " was never published");
        } while (writer.isAlive() && System.nanoTime() < deadline);
        joined(writer);
        assertNull(failure.get());
    }

    private static final int CHANGES = 2_000;
    private static final long LAG = 1L << 40; // above the default replica-max-lag: config 0 is the initial one

    /** Topology i for i in 0..CHANGES (0: the initial one's number), each numbered by its sinceSample. */
    private static List<Topology> topologies() {
        BackendNode master = TestNodes.node(2);
        List<Topology> out = new ArrayList<>();
        for (int i = 0; i <= CHANGES; i++) {
            out.add(new Topology(master, List.of(), i));
        }
        return out;
    }

    /** Config i for i in 0..CHANGES, with replica-max-lag LAG + i. */
    private List<ProxyConfig> configs() {
        assertTrue(open.replicaMaxLag() < LAG);
        List<ProxyConfig> out = new ArrayList<>();
        for (int i = 0; i <= CHANGES; i++) {
            out.add(with(open, "replica-max-lag", Long.toString(LAG + i)));
        }
        return out;
    }

    /** The number of {@code s}'s config: 0 for the initial one. */
    private static long configIndex(RuntimeSnapshot s) {
        return Math.max(0, s.config().replicaMaxLag() - LAG);
    }

    /** A thread that runs {@code change} for 1..CHANGES once a reader has begun; what it throws goes to failure. */
    private static Thread started(String name, CountDownLatch reading, AtomicReference<Throwable> failure,
                                  IntConsumer change) {
        Thread t = new Thread(() -> {
            try {
                reading.await(); // so that the reader and the writers overlap
                for (int i = 1; i <= CHANGES; i++) {
                    change.accept(i);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.start();
        return t;
    }

    private static void joined(Thread... threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive(), t.getName() + " did not finish in time");
        }
    }

    private static ProxyConfig with(ProxyConfig base, String directive, String value) {
        return ConfigParser.with(base, directive, List.of(value.split(" ")));
    }
}
