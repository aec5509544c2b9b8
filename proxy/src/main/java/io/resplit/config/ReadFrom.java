package io.resplit.config;

/** Where read-only commands go ({@code read-from} directive). */
public enum ReadFrom {
    /** Healthy replicas, falling back to the master when none is healthy or caught up. */
    REPLICAS,
    /** Always the master: resplit as a plain pass-through. */
    MASTER
}
