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
    private final ClientHandler owner;
    RespRequest request;          // owned until the reply arrives; null for local replies
    CommandSpec spec;
    Route route;                  // where the router sent it (after the MULTI rules); fixed
    final long startNanos; // arrival, for the latency histogram and the slow log (0 when neither is on)
    long sentNanos;        // last sent to a backend, for the backend histogram (0: sent on arrival)
    BackendNode node;
    Route lane;                   // the lane carrying it, for ordering: REPLICA, MASTER, PINNED or BLOCKING
    BackendConnection dedicated;  // a blocking command's own connection, given back after the reply
    String scriptSha;             // EVALSHA(_RO): the script to load and run again after a NOSCRIPT
    boolean scriptReloaded;
    long seq;       // arrival order on this client connection, to put held requests back in their place
    long heldSince; // when it first had to wait for a master (nanoTime), 0 if never
    long blockedSince; // when a blocking command was first sent (nanoTime), to re-issue it with the time left
    int attempts;
    UnaryOperator<ByteBuf> transform; // rewrites the backend's reply (INFO adds the proxy's section)
    ByteBuf reply;
    byte outcome; // of a backend reply passed on as it came: OK or ERROR; UNKNOWN for replies made here
    static final byte UNKNOWN = 0;
    static final byte OK = 1;
    static final byte ERROR = 2;
    boolean closeAfter;
    boolean suppressed; // CLIENT REPLY OFF or SKIP: the reply is dropped instead of written
    boolean awaitsAck;  // a write on the master whose reply waits for write-ack-replicas replicas
    boolean heldCounted; // its reply arrived behind an unanswered one and counts toward the client's held bytes
    boolean tracked;     // CLIENT TRACKING: its keys are remembered, where it is sent, for invalidation
    java.util.List<byte[]> ownWriteKeys; // CLIENT TRACKING BCAST NOLOOP: keys this write changes, not reported back
    boolean endsPin; // cluster mode: EXEC, DISCARD or a last UNWATCH, which gives the pinned connection back

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
