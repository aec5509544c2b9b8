package io.resplit.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The race a reviewer found: a write passes the gate, and only later in the same event-loop task is it counted
 * in flight on the master. A failover that closed the gate in between must not find the master idle.
 */
class WriteGateTest {

    @Test
    void closeAndDrainWaitsForARequestThatPassedTheGateButIsNotInFlightYet() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            WriteGate gate = new WriteGate(loops);
            EventLoop loop = loops.next();
            AtomicInteger inflight = new AtomicInteger(); // what the master's in-flight count would say
            CountDownLatch passed = new CountDownLatch(1);
            CountDownLatch mayCount = new CountDownLatch(1);
            loop.execute(() -> {
                assertTrue(gate.passOrWait(loop, () -> { }));
                passed.countDown();
                await(mayCount); // the window between the gate check and the send
                inflight.incrementAndGet();
            });
            assertTrue(passed.await(5, TimeUnit.SECONDS));

            CompletableFuture<Integer> seenByFailover = CompletableFuture.supplyAsync(() -> {
                assertTrue(gate.closeAndDrain(10_000));
                return inflight.get(); // what a failover would read next
            });
            // while the task is in its window, the failover has not gone past the drain
            assertFalse(doneWithin(seenByFailover, 200));
            mayCount.countDown();
            assertEquals(1, seenByFailover.get(5, TimeUnit.SECONDS), "the in-flight request is visible");
            assertFalse(gate.isOpen());
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void requestsArrivingAfterTheCloseWaitAndResumeOnOpen() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        try {
            WriteGate gate = new WriteGate(loops);
            EventLoop loop = loops.next();
            assertTrue(gate.closeAndDrain(5_000));
            CountDownLatch resumed = new CountDownLatch(1);
            CompletableFuture<Boolean> passed = new CompletableFuture<>();
            loop.execute(() -> passed.complete(gate.passOrWait(loop, resumed::countDown)));
            assertFalse(passed.get(5, TimeUnit.SECONDS));
            assertEquals(1, gate.waiting());
            gate.open();
            assertTrue(resumed.await(5, TimeUnit.SECONDS));
            assertEquals(0, gate.waiting());
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Whether the future completes within {@code ms}. */
    private static boolean doneWithin(CompletableFuture<?> f, long ms) {
        try {
            f.get(ms, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
