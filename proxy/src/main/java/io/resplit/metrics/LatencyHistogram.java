package io.resplit.metrics;

import io.prometheus.client.Collector;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Prometheus histogram with one label, made for the two observations of every request. Each recording thread
 * (an event loop) holds a shard of its own ({@link #shard}) and counts into it with plain stores, so an
 * observation is a bucket search and two increments, with no atomic instruction and no thread-local lookup; a
 * scrape adds the shards up. simpleclient's own histogram does two
 * compare-and-swap loops per observation (bucket and sum) plus its exemplar bookkeeping, which the benchmark
 * showed as most of the cost of metrics on the hot path.
 *
 * <p>The shards are written with opaque stores and read with opaque loads: a scrape sees every count that
 * completed before it, give or take the ones in progress, and never a torn value (longs are written whole).
 */
final class LatencyHistogram extends Collector {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final String name;
    private final String help;
    private final String labelName;
    private final long[] upperNanos;
    // by the position of a value's highest bit: the first bucket that can hold such a value, so that finding a
    // value's bucket takes a table read and a compare or two instead of a walk over every bound
    private final byte[] firstBucketByBits = new byte[65];
    private final List<String> le = new ArrayList<>(); // bucket labels, +Inf last
    private final ConcurrentHashMap<String, Series> series = new ConcurrentHashMap<>();

    LatencyHistogram(String name, String help, String labelName, long[] upperNanos) {
        this.name = name;
        this.help = help;
        this.labelName = labelName;
        this.upperNanos = upperNanos.clone();
        for (int bits = 0; bits <= 64; bits++) {
            long smallest = bits == 0 ? 0 : 1L << (bits - 1); // the smallest value with this highest bit
            int i = 0;
            while (i < upperNanos.length && smallest > upperNanos[i]) {
                i++;
            }
            firstBucketByBits[bits] = (byte) i;
        }
        for (long n : upperNanos) {
            le.add(Collector.doubleToGoString(n / 1e9));
        }
        le.add("+Inf");
    }

    /**
     * The recorder of shard {@code index} (an event loop's index) into the series of {@code labelValue}, for that
     * one thread's use only; the same recorder each time it is asked for.
     */
    ProxyMetrics.Latency shard(String labelValue, int index) {
        return series.computeIfAbsent(labelValue, v -> new Series()).shard(index);
    }

    /** Counts per bucket (+Inf last) of every label value, over every shard: what a scrape reads, unformatted. */
    java.util.Map<String, long[]> bucketTotals() {
        java.util.Map<String, long[]> out = new java.util.TreeMap<>();
        series.forEach((value, s) -> out.put(value, s.bucketTotals()));
        return out;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        List<String> bucketLabels = List.of(labelName, "le");
        List<String> labels = List.of(labelName);
        series.forEach((value, s) -> {
            long[] totals = s.bucketTotals();
            long cumulative = 0;
            for (int i = 0; i <= upperNanos.length; i++) {
                cumulative += totals[i];
                samples.add(new MetricFamilySamples.Sample(name + "_bucket", bucketLabels, List.of(value, le.get(i)),
                        cumulative));
            }
            samples.add(new MetricFamilySamples.Sample(name + "_count", labels, List.of(value), cumulative));
            samples.add(new MetricFamilySamples.Sample(name + "_sum", labels, List.of(value),
                    s.sumNanos() / 1e9));
        });
        return List.of(new MetricFamilySamples(name, Type.HISTOGRAM, help, samples));
    }

    /** One label value's counts: a shard per recording thread. */
    private final class Series {
        // a cell: the buckets and +Inf, then the sum (double bits)
        private final Shards<ProxyMetrics.Latency> shards =
                new Shards<>(upperNanos.length + 2, cell -> new Recorder(upperNanos, firstBucketByBits, cell));

        ProxyMetrics.Latency shard(int index) {
            return shards.shard(index);
        }

        /** Counts per bucket (+Inf last), over every shard. */
        long[] bucketTotals() {
            long[] out = new long[upperNanos.length + 1];
            for (long[] shard : shards.cells()) {
                for (int i = 0; i < out.length; i++) {
                    out[i] += (long) SLOT.getOpaque(shard, i);
                }
            }
            return out;
        }

        double sumNanos() {
            double total = 0;
            for (long[] shard : shards.cells()) {
                total += Double.longBitsToDouble((long) SLOT.getOpaque(shard, upperNanos.length + 1));
            }
            return total;
        }
    }

    /**
     * Observes into one shard. It holds the bounds, the bucket table and its cell itself, so an observation
     * follows no pointer beyond them.
     */
    private static final class Recorder implements ProxyMetrics.Latency {
        private final long[] upperNanos;
        private final byte[] firstBucketByBits;
        private final long[] cell;
        private final int sum;

        Recorder(long[] upperNanos, byte[] firstBucketByBits, long[] cell) {
            this.upperNanos = upperNanos;
            this.firstBucketByBits = firstBucketByBits;
            this.cell = cell;
            this.sum = upperNanos.length + 1;
        }

        @Override
        public void recordNanos(long nanos) {
            int i = nanos <= 0 ? 0 : firstBucketByBits[64 - Long.numberOfLeadingZeros(nanos)];
            while (i < upperNanos.length && nanos > upperNanos[i]) {
                i++; // at most two steps: bounds are at least 2x apart
            }
            // one writer per shard: a plain read-modify-write, published with an opaque store
            SLOT.setOpaque(cell, i, (long) SLOT.getOpaque(cell, i) + 1);
            // the sum as a double: a long of nanoseconds would wrap within months on the blocking route
            double total = Double.longBitsToDouble((long) SLOT.getOpaque(cell, sum)) + Math.max(0, nanos);
            SLOT.setOpaque(cell, sum, Double.doubleToRawLongBits(total));
        }
    }
}
