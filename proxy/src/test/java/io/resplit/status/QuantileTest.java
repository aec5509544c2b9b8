package io.resplit.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The page's p99 is Prometheus's histogram_quantile over the same buckets. */
class QuantileTest {
    private static final long[] BOUNDS = {100_000, 200_000, 400_000}; // 100, 200, 400 µs, then +Inf

    @Test
    void interpolatesWithinTheBucketTheRankFallsIn() {
        // 100 observations: rank 99 is the 49th of the 50 in (200, 400] µs
        assertEquals(200 + Math.round(200 * 49 / 50.0), Quantile.micros(0.99, new long[] {25, 25, 50, 0}, BOUNDS));
        assertEquals(50, Quantile.micros(0.5, new long[] {100, 0, 0, 0}, BOUNDS));
    }

    @Test
    void aRankInTheInfBucketGivesTheHighestBoundAndNoObservationsGiveNothing() {
        assertEquals(400, Quantile.micros(0.99, new long[] {1, 0, 0, 99}, BOUNDS));
        assertEquals(-1, Quantile.micros(0.99, new long[] {0, 0, 0, 0}, BOUNDS));
    }

    @Test
    void emptyBucketsBeforeTheRankAreSkipped() {
        // rank 9.9 of 10, all in (200, 400] µs
        assertEquals(398, Quantile.micros(0.99, new long[] {0, 0, 10, 0}, BOUNDS));
    }
}
