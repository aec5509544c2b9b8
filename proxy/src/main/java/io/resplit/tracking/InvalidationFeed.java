package io.resplit.tracking;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.backend.FrameListener;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespValues;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's stream of changed keys: a RESP3 connection in {@code CLIENT TRACKING ON BCAST} mode with no prefix,
 * to which the node pushes every key it changes (its own writes, and on a replica the writes it replicates),
 * batched per event-loop turn. Reopened with a growing delay when lost; the hub tells every tracking client to
 * drop its cache when that happens, since changes made meanwhile are not known. Runs on one event loop.
 */
final class InvalidationFeed implements FrameListener {
    private static final Logger log = LoggerFactory.getLogger(InvalidationFeed.class);
    static final String CLIENT_NAME = "resplit-tracking";
    private static final long MIN_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 5000;

    private final BackendNode node;
    private final EventLoop loop;
    private final InvalidationHub hub;
    private final CompletableFuture<Void> firstLive = new CompletableFuture<>();
    private BackendConnection conn;
    private volatile boolean live;
    private boolean wasLive;    // has been live before: a new start means changes may have been missed
    private volatile boolean stopped;
    private int failures;
    private final java.util.ArrayDeque<Runnable> barriers = new java.util.ArrayDeque<>(); // one per PING sent

    InvalidationFeed(BackendNode node, EventLoop loop, InvalidationHub hub) {
        this.node = node;
        this.loop = loop;
        this.hub = hub;
    }

    BackendNode node() {
        return node;
    }

    void start() {
        loop.execute(this::open);
    }

    /** Stopped for good (refused, or the node left): the hub replaces it when it is needed again. */
    boolean stopped() {
        return stopped;
    }

    /** Whether changes on the node are being reported now. */
    boolean live() {
        return live;
    }

    /** Completes when the feed first reports changes; fails if its first attempts are refused. */
    CompletableFuture<Void> firstLive() {
        return firstLive;
    }

    private void open() {
        if (stopped) {
            return;
        }
        conn = node.openFeedConnection(loop, CLIENT_NAME);
        conn.stream(this);
        // the connection takes the request's only reference
        conn.sendStreamed(RespRequest.of(io.netty.buffer.ByteBufAllocator.DEFAULT, "CLIENT", "TRACKING", "ON",
                "BCAST").frame());
    }

    @Override
    public void onFrame(ByteBuf frame) {
        try {
            if (!live) {
                started(frame);
                return;
            }
            InvalidationMessages.FeedMessage m = InvalidationMessages.parse(frame);
            byte type = frame.getByte(frame.readerIndex());
            if ((type == '+' || type == '-') && !barriers.isEmpty()) {
                barriers.poll().run(); // a PING's answer: every change made before it was sent is reported
            } else if (m instanceof InvalidationMessages.Keys k) {
                hub.changed(node, k.keys());
            } else if (m instanceof InvalidationMessages.Flush) {
                hub.flushed(node);
            } // nothing else is sent on this connection
        } finally {
            frame.release();
        }
    }

    /** The reply to CLIENT TRACKING ON BCAST. */
    private void started(ByteBuf frame) {
        Object reply = RespValues.read(frame.duplicate());
        if (reply instanceof RespValues.Error e) {
            log.warn("client tracking: {} refused CLIENT TRACKING ON BCAST ({}); tracking clients read from the "
                    + "master only", node.address(), e.message());
            firstLive.completeExceptionally(new IllegalStateException(e.message()));
            stopped = true; // the hub starts a new feed when a client next turns tracking on
            conn.discard("CLIENT TRACKING refused");
            return;
        }
        live = true;
        failures = 0;
        if (wasLive) {
            log.info("client tracking: invalidation feed from {} is back; tracking clients were told to drop "
                    + "their caches", node.address());
            hub.feedRestarted(node);
        } else {
            hub.feedStarted(node);
        }
        wasLive = true;
        firstLive.complete(null);
    }

    /**
     * Runs {@code after} once every change the node made before now has been reported (a PING on the feed has
     * been answered), or at once when the feed is not live. Call on any thread.
     */
    void barrier(Runnable after) {
        loop.execute(() -> {
            if (!live || conn == null) {
                after.run();
                return;
            }
            barriers.add(after);
            conn.sendStreamed(RespRequest.of(io.netty.buffer.ByteBufAllocator.DEFAULT, "PING").frame());
        });
    }

    @Override
    public void onClosed(String reason) {
        conn = null;
        Runnable pending;
        while ((pending = barriers.poll()) != null) {
            pending.run(); // nothing more will be reported on this connection
        }
        if (live) {
            live = false;
            log.warn("client tracking: invalidation feed from {} lost ({}); tracking clients drop their caches",
                    node.address(), reason);
            hub.feedLost(node);
        }
        if (stopped) {
            return;
        }
        long delay = Math.min(MAX_RETRY_MS, MIN_RETRY_MS << Math.min(failures++, 6));
        loop.schedule(this::open, delay, TimeUnit.MILLISECONDS);
    }

    /** The node left the topology (or tracking ended): close for good. */
    void stop() {
        loop.execute(() -> {
            stopped = true;
            live = false;
            if (conn != null) {
                BackendConnection c = conn;
                conn = null;
                c.discard("client tracking feed stopped");
            }
        });
    }
}
