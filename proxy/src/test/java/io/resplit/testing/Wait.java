package io.resplit.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, instead of sleeping for a guessed amount of time.
 *
 * <p>The condition is polled: first after about a millisecond, then with growing pauses capped at
 * {@value #MAX_PAUSE_MILLIS} ms, so fast conditions are seen quickly while slow ones do not burn
 * CPU (the build machine has two cores) or open a connection every millisecond. Exceptions thrown
 * by the condition are not caught: a condition that can fail transiently must handle that itself,
 * and one that detects a hopeless state (for example a dead process) can abort the wait early by
 * throwing.
 */
public final class Wait {

    private static final long MIN_PAUSE_MILLIS = 1;
    private static final long MAX_PAUSE_MILLIS = 20;

    private Wait() {
    }

    /**
     * Polls {@code condition} until it returns {@code true}.
     *
     * @param deadline how long to wait at most
     * @param condition checked at least once, also when {@code deadline} is zero
     * @param what what is being waited for, used in the failure message
     * @throws AssertionError if the condition is still false when the deadline has passed
     */
    public static void until(Duration deadline, BooleanSupplier condition, String what) {
        until(deadline, () -> condition.getAsBoolean() ? Boolean.TRUE : null, what);
    }

    /**
     * Polls {@code valueOrNull} until it returns a non-null value, and returns that value.
     *
     * @param deadline how long to wait at most
     * @param valueOrNull checked at least once; {@code null} means "not yet"
     * @param what what is being waited for, used in the failure message
     * @return the first non-null value
     * @throws AssertionError if only {@code null} was returned until the deadline passed
     */
    public static <T> T until(Duration deadline, Supplier<T> valueOrNull, String what) {
        long start = System.nanoTime();
        long limit = deadline.toNanos();
        long pauseMillis = MIN_PAUSE_MILLIS;
        while (true) {
            T value = valueOrNull.get();
            if (value != null) {
                return value;
            }
            long elapsed = System.nanoTime() - start;
            if (elapsed >= limit) {
                throw new AssertionError("timed out after " + deadline.toMillis()
                        + " ms waiting for: " + what);
            }
            // Never park past the deadline, so the last check happens right at it.
            long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(pauseMillis), limit - elapsed);
            LockSupport.parkNanos(pause);
            if (Thread.interrupted()) {
                // Keep the interrupt visible to the caller (e.g. a JUnit @Timeout) and stop waiting.
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what);
            }
            pauseMillis = Math.min(pauseMillis * 2, MAX_PAUSE_MILLIS);
        }
    }
}
