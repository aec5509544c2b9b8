package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendNode;
import io.resplit.backend.ReplyCallback;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.route.Route;

/**
 * One slot in a client's reply queue: the request while it is in flight (kept so a read can be re-sent to
 * another node if its replica fails), then the reply once it has arrived. Replies leave the queue strictly in
 * request order.
 */
final class PendingReply extends RareRequestFacts implements ReplyCallback {
    // Every request allocates one of these, so what few requests need lives in RareRequestFacts, made on first
    // use, and the small facts share bytes: 56 bytes a request instead of 120 (compressed references; 12 bytes
    // of header)
    private final ClientHandler owner;
    RespRequest request;          // owned until the reply arrives; null for local replies
    CommandSpec spec;
    final long startNanos; // arrival, for the latency histogram and the slow log (0 when neither is on)
    BackendNode node;
    ByteBuf reply;
    final int db;  // the connection state the request was sent under (with the protocol in flags)
    int seq;       // arrival order on this client connection, to put held requests back in their place (wraps)
    private final byte route; // Route ordinal: where the router sent it (after the MULTI rules); NONE if pushed
    private byte lane;        // Route ordinal: the lane carrying it (REPLICA, MASTER, PINNED or BLOCKING); NONE
    private byte attempts;    // times sent, up to Byte.MAX_VALUE
    private byte flags;       // the outcome (two bits) and the flag bits below
    static final byte UNKNOWN = 0; // outcome of a reply made here
    static final byte OK = 1;      // outcome of a backend reply passed on as it came
    static final byte ERROR = 2;
    private static final int OUTCOME = 0b11;
    private static final int CLOSE_AFTER = 1 << 2;  // the connection closes once this reply is written
    private static final int SUPPRESSED = 1 << 3;   // CLIENT REPLY OFF or SKIP: the reply is dropped, not written
    private static final int AWAITS_ACK = 1 << 4;   // a write on the master whose reply waits for write-ack-replicas
    private static final int HELD_COUNTED = 1 << 5; // arrived behind an unanswered reply; counts as held bytes
    private static final int RESP3 = 1 << 6;        // sent under protocol 3 (else 2)
    private static final byte NONE = -1;
    private static final Route[] ROUTES = Route.values();
    @Override
    public boolean awaitsReplicaAck() {
        return (flags & AWAITS_ACK) != 0;
    }

    PendingReply(ClientHandler owner, RespRequest request, CommandSpec spec, Route route) {
        this(owner, request, spec, route, owner.arrivalNanos());
    }

    private PendingReply(ClientHandler owner, RespRequest request, CommandSpec spec, Route route,
                         long startNanos) {
        this.owner = owner;
        this.request = request;
        this.spec = spec;
        this.route = route == null ? NONE : (byte) route.ordinal();
        this.lane = NONE;
        this.startNanos = startNanos;
        // the connection state the request was sent under: a later SELECT or HELLO must not move a request
        // that is still held (behind a blocked command, a lane switch, a failover)
        ClientSession s = owner.session();
        this.db = s == null ? 0 : s.db();
        this.flags = (byte) (s != null && s.protocol() == 3 ? RESP3 : 0);
    }

    /** Where the router sent it (after the MULTI rules); null for a frame pushed from a subscriber connection. */
    Route route() {
        return route == NONE ? null : ROUTES[route];
    }

    /** The lane carrying it, for ordering: REPLICA, MASTER, PINNED or BLOCKING; null before it is chosen. */
    Route lane() {
        return lane == NONE ? null : ROUTES[lane];
    }

    void lane(Route l) {
        lane = (byte) l.ordinal();
    }

    /** Times sent to a backend (saturating at {@link Byte#MAX_VALUE}). */
    int attempts() {
        return attempts;
    }

    void countAttempt() {
        if (attempts < Byte.MAX_VALUE) {
            attempts++;
        }
    }

    /** 2 or 3: the protocol the client spoke when it sent this request. */
    int protocol() {
        return (flags & RESP3) != 0 ? 3 : 2;
    }

    /** Of a backend reply passed on as it came: {@link #OK} or {@link #ERROR}; {@link #UNKNOWN} for one made here. */
    byte outcome() {
        return (byte) (flags & OUTCOME);
    }

    void outcome(boolean error) {
        flags = (byte) ((flags & ~OUTCOME) | (error ? ERROR : OK));
    }

    boolean closeAfter() {
        return (flags & CLOSE_AFTER) != 0;
    }

    void closeAfter(boolean close) {
        set(CLOSE_AFTER, close);
    }

    boolean suppressed() {
        return (flags & SUPPRESSED) != 0;
    }

    void suppressed(boolean suppress) {
        set(SUPPRESSED, suppress);
    }

    void awaitsAck(boolean awaits) {
        set(AWAITS_ACK, awaits);
    }

    boolean heldCounted() {
        return (flags & HELD_COUNTED) != 0;
    }

    void heldCounted(boolean counted) {
        set(HELD_COUNTED, counted);
    }

    private void set(int bit, boolean on) {
        flags = (byte) (on ? flags | bit : flags & ~bit);
    }

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
        return true; // the forwarder copies it on, or keeps a buffer of its own when it must (WriteBatch.keep)
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
