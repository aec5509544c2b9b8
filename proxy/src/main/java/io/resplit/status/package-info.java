/**
 * The status page on the metrics port ({@code /} and {@code /status.json}): what the admin {@code STATUS} and
 * {@code BACKENDS} commands show, plus the last minutes of throughput, latency and lag, which
 * {@link io.resplit.status.StatusSampler} reads from the existing meters every few seconds into a small ring.
 * Nothing here runs on an event loop or on the request path: the sampler has a thread of its own and the page is
 * built on the metrics HTTP thread when asked for. Secrets (passwords, {@code masterauth}) are never read here,
 * so they cannot leak into the page.
 */
package io.resplit.status;
