package io.resplit.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespValues;
import java.util.concurrent.TimeUnit;

/**
 * Polls one node with {@code INFO replication} on its own connection every interval: that answers whether the
 * node is alive and authenticates, its role, its link to the master and its replication offset, which
 * read-your-writes compares against. A check without an answer within the timeout marks the node down.
 */
public final class NodeMonitor {
    /** Built once and never released: each send takes its own reference. */
    private static final RespRequest INFO_REPLICATION =
            RespRequest.of(UnpooledByteBufAllocator.DEFAULT, "INFO", "replication");

    private final BackendNode node;
    private final EventLoop loop;
    private final long intervalMs;
    private final long timeoutNanos;
    private BackendConnection conn;
    private boolean checkOutstanding;
    private long checkSentAt;
    private ScheduledFuture<?> task;

    public NodeMonitor(BackendNode node, EventLoop loop, long intervalMs, long timeoutMs) {
        this.node = node;
        this.loop = loop;
        this.intervalMs = intervalMs;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    public void start() {
        task = loop.scheduleWithFixedDelay(this::tick, 0, intervalMs, TimeUnit.MILLISECONDS);
        node.health().checkNowBy(() -> loop.execute(this::tick)); // a check now, unless one is outstanding
    }

    public void stop() {
        node.health().checkNowBy(null);
        loop.execute(() -> {
            if (task != null) {
                task.cancel(false);
            }
            if (conn != null) {
                conn.close("proxy shutting down");
            }
        });
    }

    private void tick() {
        if (conn == null || conn.isClosed()) {
            if (node.inBackoff()) {
                return;
            }
            checkOutstanding = false;
            conn = node.openControlConnection(loop);
        }
        if (checkOutstanding) {
            // a check held by a CLIENT PAUSE sent through the proxy has its full timeout after the pause
            long paused = node.busy().pausedUntilNanos();
            long since = paused != 0 && paused - checkSentAt > 0 ? paused : checkSentAt;
            if (System.nanoTime() - since > timeoutNanos) {
                String reason = "no answer to a health check from " + node.address() + " within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms";
                conn.close(reason);
                node.closeDataConnections(reason);
            }
            return;
        }
        checkOutstanding = true;
        checkSentAt = System.nanoTime();
        long seq = node.health().nextSampleSeq();
        long sentAt = checkSentAt;
        BackendConnection target = conn;
        target.send(INFO_REPLICATION.retainedFrame(), new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                try {
                    Object reply = RespValues.read(frame);
                    if (target == conn) {
                        checkOutstanding = false;
                    }
                    if (reply instanceof String info) {
                        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sentAt);
                        node.onSample(seq, InfoReplication.parse(info), micros);
                    } else if (reply instanceof RespValues.Error e && e.message().startsWith("BUSY")) {
                        node.busy().began(e.message()); // a script or function runs: alive, and SCRIPT KILL may end it
                    } else {
                        target.close("health check on " + node.address() + " answered " + reply);
                    }
                } finally {
                    frame.release();
                }
            }

            @Override
            public void onFailure(String reason, boolean maybeApplied) {
                if (target == conn) {
                    checkOutstanding = false;
                }
            }
        });
    }
}
