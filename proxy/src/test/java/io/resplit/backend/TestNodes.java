package io.resplit.backend;

import io.resplit.config.HostPort;

/**
 * Test-only access to {@link BackendNode}'s package-private state changes, so that routing code can be driven
 * without sockets: health samples as {@link NodeMonitor} publishes them, failures, and in-flight counts.
 */
public final class TestNodes {
    private TestNodes() {
    }

    /** A node on 127.0.0.1:{@code port} without a connector (never opens a connection). */
    public static BackendNode node(int port) {
        return new BackendNode(new HostPort("127.0.0.1", port), null, 1, 1, 1);
    }

    /** A master that has answered one health check with {@code offset}. */
    public static BackendNode master(int port, long offset) {
        BackendNode n = node(port);
        check(n, "master", true, false, offset);
        return n;
    }

    /** A replica that has answered one health check: link up, not syncing, at {@code offset}. */
    public static BackendNode replica(int port, long offset) {
        BackendNode n = node(port);
        check(n, "slave", true, false, offset);
        return n;
    }

    /** Takes the next health-check sequence number, as the monitor does just before it sends a check. */
    public static long nextSampleSeq(BackendNode n) {
        return n.health().nextSampleSeq();
    }

    /** Publishes the answer to the health check numbered {@code seq}. */
    public static void onSample(BackendNode n, long seq, String role, boolean linkUp, boolean syncing, long offset) {
        n.onSample(seq, new InfoReplication(role, linkUp, syncing, offset), 100);
    }

    /** A whole health check: takes a sequence number and publishes its answer at once; returns the number. */
    public static long check(BackendNode n, String role, boolean linkUp, boolean syncing, long offset) {
        long seq = n.health().nextSampleSeq();
        onSample(n, seq, role, linkUp, syncing, offset);
        return seq;
    }

    public static void markDown(BackendNode n, String reason) {
        n.markDown(reason);
    }

    /** Adds {@code count} requests in flight (negative: ends them). */
    public static void inflight(BackendNode n, int count) {
        for (int i = 0; i < Math.abs(count); i++) {
            if (count > 0) {
                n.requestStarted();
            } else {
                n.requestEnded();
            }
        }
    }
}
