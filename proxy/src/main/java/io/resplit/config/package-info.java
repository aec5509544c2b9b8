/**
 * Typed, immutable settings ({@link io.resplit.config.ProxyConfig}) parsed from a redis.conf-style file and
 * {@code --directive value} command-line overrides. A leaf: imports nothing else from the proxy.
 */
package io.resplit.config;
