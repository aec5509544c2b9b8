package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.backend.ReplyCallback;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.route.Route;
import java.util.function.UnaryOperator;

/**
 * One slot in a client's reply queue: the request while it is in flight (kept so a read can be re-sent to
 * another node if its replica fails), then the reply once it has arrived. Replies leave the queue strictly in
 * request order.
 */
final class PendingReply implements ReplyCallback {
    // Every request allocates one of these, so what few requests need lives in Uncommon, made on first use:
    // 80 bytes a request instead of 120 (compressed references)
    private final ClientHandler owner;
    RespRequest request;          // owned until the reply arrives; null for local replies
    CommandSpec spec;
    Route route;                  // where the router sent it (after the MULTI rules); fixed
    final long startNanos; // arrival, for the latency histogram and the slow log (0 when neither is on)
    BackendNode node;
    Route lane;                   // the lane carrying it, for ordering: REPLICA, MASTER, PINNED or BLOCKING
    long seq;       // arrival order on this client connection, to put held requests back in their place
    int attempts;
    ByteBuf reply;
    byte outcome; // of a backend reply passed on as it came: OK or ERROR; UNKNOWN for replies made here
    static final byte UNKNOWN = 0;
    static final byte OK = 1;
    static final byte ERROR = 2;
    boolean closeAfter;
    boolean suppressed; // CLIENT REPLY OFF or SKIP: the reply is dropped instead of written
    boolean awaitsAck;  // a write on the master whose reply waits for write-ack-replicas replicas
    boolean heldCounted; // its reply arrived behind an unanswered one and counts toward the client's held bytes
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
        java.util.List<byte[]> ownWriteKeys; // CLIENT TRACKING BCAST NOLOOP: keys this write changes, not reported
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
    java.util.List<byte[]> ownWriteKeys() {
        return uncommon == null ? null : uncommon.ownWriteKeys;
    }

    void ownWriteKeys(java.util.List<byte[]> keys) {
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

    @Override
    public boolean awaitsReplicaAck() {
        return awaitsAck;
    }

    PendingReply(ClientHandler owner, RespRequest request, CommandSpec spec, Route route) {
        this(owner, request, spec, route, owner.arrivalNanos());
    }

    private PendingReply(ClientHandler owner, RespRequest request, CommandSpec spec, Route route,
                         long startNanos) {
        this.owner = owner;
        this.request = request;
        this.spec = spec;
        this.route = route;
        this.startNanos = startNanos;
        // the connection state the request was sent under: a later SELECT or HELLO must not move a request
        // that is still held (behind a blocked command, a lane switch, a failover)
        ClientSession s = owner.session();
        this.db = s == null ? 0 : s.db();
        this.protocol = (byte) (s == null ? 2 : s.protocol());
    }

    final int db;
    final byte protocol; // 2 or 3; a byte fills the gap after the flags, one slot per request less than an int

    /** A slot whose reply is already known (local commands, errors). */
    static PendingReply completed(ClientHandler owner, ByteBuf reply) {
        // metered as the request being handled when the proxy answered it (its command, local or refused)
        PendingReply p = new PendingReply(owner, null, owner.currentSpec(), owner.currentRoute());
        p.reply = reply;
        return p;
    }

    /**
     * A slot for a frame pushed from a subscriber or monitor connection: not the reply to any one request, so
     * it is neither counted nor timed (the commands sent there are counted when sent, see
     * {@link CommandMeters#sentOnStream}).
     */
    static PendingReply pushed(ClientHandler owner, ByteBuf frame) {
        PendingReply p = new PendingReply(owner, null, null, null, 0);
        p.reply = frame;
        return p;
    }

    boolean done() {
        return reply != null;
    }

    @Override
    public void onReply(ByteBuf frame) {
        onReply(frame, io.resplit.resp.RespReplyDecoder.isError(frame));
    }

    @Override
    public void onReply(ByteBuf frame, boolean error) {
        onReply(frame, error, SYSTEM_CLOCK);
    }

    @Override
    public void onReply(ByteBuf frame, boolean error, java.util.function.LongSupplier arrival) {
        owner.forwarder().replied(this, frame, error, arrival);
    }

    private static final java.util.function.LongSupplier SYSTEM_CLOCK = System::nanoTime;

    @Override
    public boolean takesInPlace() {
        return true; // the forwarder copies it on, or slices it itself when it must keep it
    }

    @Override
    public void onReplyInPlace(ByteBuf in, int index, int length, boolean error,
                               java.util.function.LongSupplier arrival) {
        owner.forwarder().repliedInPlace(this, in, index, length, error, arrival);
    }

    @Override
    public void onFailure(String reason, boolean maybeApplied) {
        owner.forwarder().failed(this, reason, maybeApplied);
    }

    /** Drops what this slot holds; called when the client has gone. */
    void releaseAll() {
        if (request != null) {
            request.release();
            request = null;
        }
        if (reply != null) {
            reply.release();
            reply = null;
        }
    }
}
