/**
 * Metrics: every meter the proxy exports is declared once, with its help text and base unit, in
 * {@link io.resplit.metrics.ProxyMetrics} or a class it hands a larger group to (commands, request durations,
 * backends, cluster), on a Micrometer registry backed by the Prometheus simpleclient; and the small HTTP
 * endpoint serving {@code /metrics}, {@code /health} and {@code /ready}. A leaf: it knows nothing of the
 * proxy's types; callers pass names and numbers.
 */
package io.resplit.metrics;
