package io.resplit.status;

import java.util.Map;

/**
 * The proxy over one sampling interval: rates are per second over the interval, latencies the interval's p99
 * (-1 when nothing was timed in it).
 *
 * @param atMillis wall-clock time at the end of the interval
 * @param routes   by route ({@code master}, {@code replica}, {@code local}, ...)
 * @param nodes    by node address
 */
record Sample(long atMillis, Map<String, RouteFigures> routes, Map<String, NodeFigures> nodes) {
    /** Replies written to clients on one route. */
    record RouteFigures(double requestsPerSecond, double errorsPerSecond, long p99Micros) {
    }

    /** Requests one node answered, and how far it was behind the master at the end of the interval. */
    record NodeFigures(double requestsPerSecond, long p99Micros, long lagBytes) {
    }
}
