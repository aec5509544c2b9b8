package io.resplit.status;

/**
 * A quantile from histogram bucket counts, estimated as Prometheus's {@code histogram_quantile} does: find the
 * bucket the rank falls in and interpolate linearly within it; a rank in the +Inf bucket gives the highest
 * finite bound. So the page and a Grafana panel over the same buckets show the same figure.
 */
final class Quantile {
    private Quantile() {
    }

    /**
     * @param q          the quantile, 0 to 1
     * @param counts     observations per bucket (not cumulative), +Inf last: one more than {@code upperNanos}
     * @param upperNanos the buckets' upper bounds, ascending
     * @return the estimate in microseconds, or -1 when there are no observations
     */
    static long micros(double q, long[] counts, long[] upperNanos) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return -1;
        }
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < counts.length; i++) {
            if (below + counts[i] >= rank && counts[i] > 0) {
                if (i >= upperNanos.length) {
                    return upperNanos[upperNanos.length - 1] / 1000;
                }
                double lower = i == 0 ? 0 : upperNanos[i - 1];
                double within = (rank - below) / counts[i];
                return Math.round((lower + (upperNanos[i] - lower) * within) / 1000.0);
            }
            below += counts[i];
        }
        return upperNanos[upperNanos.length - 1] / 1000; // not reached: the last non-empty bucket holds the rank
    }
}
