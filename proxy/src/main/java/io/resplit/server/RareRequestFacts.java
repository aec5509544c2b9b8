package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendConnection;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What few requests need beyond their slot in the reply queue: held and re-send times, a blocking command's
 * connection, a script to reload, a reply transform, tracking state, the cluster pin's end. {@link PendingReply}
 * extends it so these read as its own; they live in a part made on first use, so a plain request pays one
 * reference for all of them.
 */
abstract class RareRequestFacts {
    private Uncommon uncommon; // null until one of its fields is set to other than its default

    /** The fields of a request that was held, re-sent, blocks, runs a script, is tracked or rewrites its reply. */
    private static final class Uncommon {
        long sentNanos;        // last sent to a backend, for the backend histogram (0: sent on arrival)
        long heldSince;        // when it first had to wait for a master (nanoTime), 0 if never
        long blockedSince;     // when a blocking command was first sent (nanoTime), to re-issue it with the time left
        BackendConnection dedicated; // a blocking command's own connection, given back after the reply
        String scriptSha;      // EVALSHA(_RO): the script to load and run again after a NOSCRIPT
        boolean scriptReloaded;
        UnaryOperator<ByteBuf> transform; // rewrites the backend's reply (INFO adds the proxy's section)
        boolean tracked;       // CLIENT TRACKING: its keys are remembered, where it is sent, for invalidation
        List<byte[]> ownWriteKeys; // CLIENT TRACKING BCAST NOLOOP: keys this write changes, not reported
        boolean endsPin;       // cluster mode: EXEC, DISCARD or a last UNWATCH, which gives the pinned connection back
    }

    private Uncommon uncommon() {
        if (uncommon == null) {
            uncommon = new Uncommon();
        }
        return uncommon;
    }

    // Getters read without making the uncommon part; setters make it only for a value other than the default.

    /** When it was last sent to a backend if not on arrival (held or re-sent), for the backend histogram; else 0. */
    long sentNanos() {
        return uncommon == null ? 0 : uncommon.sentNanos;
    }

    void sentNanos(long nanos) {
        if (nanos != 0 || uncommon != null) {
            uncommon().sentNanos = nanos;
        }
    }

    /** When it first had to wait for a master (nanoTime), 0 if never. */
    long heldSince() {
        return uncommon == null ? 0 : uncommon.heldSince;
    }

    void heldSince(long nanos) {
        if (nanos != 0 || uncommon != null) {
            uncommon().heldSince = nanos;
        }
    }

    /** When a blocking command was first sent (nanoTime), to re-issue it with the time it has left; 0 if not. */
    long blockedSince() {
        return uncommon == null ? 0 : uncommon.blockedSince;
    }

    void blockedSince(long nanos) {
        if (nanos != 0 || uncommon != null) {
            uncommon().blockedSince = nanos;
        }
    }

    /** A blocking command's own connection, given back after the reply; null for others. */
    BackendConnection dedicated() {
        return uncommon == null ? null : uncommon.dedicated;
    }

    void dedicated(BackendConnection conn) {
        if (conn != null || uncommon != null) {
            uncommon().dedicated = conn;
        }
    }

    /** EVALSHA(_RO): the script to load and run again after a NOSCRIPT; null for others. */
    String scriptSha() {
        return uncommon == null ? null : uncommon.scriptSha;
    }

    void scriptSha(String sha) {
        if (sha != null || uncommon != null) {
            uncommon().scriptSha = sha;
        }
    }

    /** Whether its script was loaded again after a NOSCRIPT (once only). */
    boolean scriptReloaded() {
        return uncommon != null && uncommon.scriptReloaded;
    }

    void scriptReloaded(boolean reloaded) {
        if (reloaded || uncommon != null) {
            uncommon().scriptReloaded = reloaded;
        }
    }

    /** Rewrites the backend's reply (INFO adds the proxy's section); null: passed on as it is. */
    UnaryOperator<ByteBuf> transform() {
        return uncommon == null ? null : uncommon.transform;
    }

    void transform(UnaryOperator<ByteBuf> t) {
        if (t != null || uncommon != null) {
            uncommon().transform = t;
        }
    }

    /** CLIENT TRACKING: its keys are remembered, where it is sent, for invalidation. */
    boolean tracked() {
        return uncommon != null && uncommon.tracked;
    }

    void tracked(boolean t) {
        if (t || uncommon != null) {
            uncommon().tracked = t;
        }
    }

    /** CLIENT TRACKING BCAST NOLOOP: keys this write changes, not reported back to its client; null if none. */
    List<byte[]> ownWriteKeys() {
        return uncommon == null ? null : uncommon.ownWriteKeys;
    }

    void ownWriteKeys(List<byte[]> keys) {
        if (keys != null || uncommon != null) {
            uncommon().ownWriteKeys = keys;
        }
    }

    /** Cluster mode: EXEC, DISCARD or a last UNWATCH, which gives the pinned connection back. */
    boolean endsPin() {
        return uncommon != null && uncommon.endsPin;
    }

    void endsPin(boolean ends) {
        if (ends || uncommon != null) {
            uncommon().endsPin = ends;
        }
    }

    /** Whether the reply needs none of the uncommon paths (a blocking connection to give back, a transform). */
    boolean repliesPlainly() {
        return uncommon == null || (uncommon.dedicated == null && uncommon.transform == null);
    }
}
