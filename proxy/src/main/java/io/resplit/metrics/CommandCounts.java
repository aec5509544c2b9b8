package io.resplit.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code resplit_commands_total}: commands answered, by command, route and outcome, one {@link ShardedCounter}
 * per set of labels. The map also holds the counters strongly (Micrometer's function counters only hold their
 * source weakly).
 */
final class CommandCounts {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, ShardedCounter> counts = new ConcurrentHashMap<>();

    CommandCounts(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The recorder of these labels for shard {@code shard}; the same labels give the same counter. */
    ProxyMetrics.Count get(String command, String route, String outcome, int shard) {
        return counts.computeIfAbsent(command + ' ' + route + ' ' + outcome, k -> {
            ShardedCounter c = new ShardedCounter();
            FunctionCounter.builder("resplit.commands", c, ShardedCounter::sum)
                    .description("Commands answered, by command (from the command table), route and outcome")
                    .tag("command", command).tag("route", route).tag("outcome", outcome).register(registry);
            return c;
        }).shard(shard);
    }

    /** Replies counted so far by route, summed over commands: {@code [ok, error]}; walks every counter. */
    Map<String, long[]> byRoute() {
        Map<String, long[]> out = new TreeMap<>();
        counts.forEach((key, counter) -> { // "command route outcome"
            int outcomeAt = key.lastIndexOf(' ');
            int routeAt = key.lastIndexOf(' ', outcomeAt - 1);
            long[] totals = out.computeIfAbsent(key.substring(routeAt + 1, outcomeAt), r -> new long[2]);
            totals["error".equals(key.substring(outcomeAt + 1)) ? 1 : 0] += (long) counter.sum();
        });
        return out;
    }
}
