/**
 * Metrics: every meter the proxy exports is declared in {@link io.resplit.metrics.ProxyMetrics}, with its help
 * text and base unit, on a Micrometer registry backed by the Prometheus simpleclient; and the small HTTP
 * endpoint serving {@code /metrics}, {@code /health} and {@code /ready}. A leaf: it knows nothing of the
 * proxy's types; callers pass names and numbers.
 */
package io.resplit.metrics;
