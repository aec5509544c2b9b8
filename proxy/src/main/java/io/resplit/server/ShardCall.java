package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.backend.ReplyCallback;
import io.resplit.resp.RespRequest;

/**
 * One request to one cluster node on a client's behalf: the client's request itself, or one part of it when
 * it was split by slot or sent to every shard. Carries what a redirection or a retry needs: the slot, the node
 * it went to, an ASK target, and how often it was redirected or retried.
 */
final class ShardCall implements ReplyCallback {
    /** No slot: any master serves it (a keyless command), or {@link #fixed} does. */
    static final int ANY_SLOT = -1;

    final ClusterOutcomes owner;
    final PendingReply parent;   // the client's place in the reply order
    final PartReplies parts;     // non-null when this is one part of a split or fan-out
    final int part;              // its index there
    RespRequest request;         // the parent's request (not owned; a blocking command's, shortened when
                                 // sent again), or this part's (owned)
    final boolean ownsRequest;
    final int slot;
    final boolean write;         // may change data: fences the client's later reads of this shard
    boolean multiKey;            // more than one key: TRYAGAIN while its slot migrates
    boolean overtaken;           // a multi-key write that a later call of the client for its slot was sent
                                 // behind while it was in flight: a TRYAGAIN is the client's, not retried
    BackendNode fixed;           // a fan-out part's node, or where a MOVED sent it
    BackendNode asking;          // MOVED or ASK: the node to send to, on the next send only
    boolean askingNeeded;        // ASK: ASKING goes first
    BackendNode node;            // where it was last sent
    BackendConnection dedicated; // a blocking command's own connection
    boolean toMaster;            // it travels on the master lane (ordered with the client's writes)
    boolean pinned;              // on the client's transaction connection (MULTI, WATCH)
    byte[] loadFirst;            // EVALSHA answered NOSCRIPT: the script's body, loaded before it goes again
    int attempts;
    int redirects;
    int waits;                   // retries waited for so far (each pause doubles)
    long retryDeadline;          // nanoTime after which TRYAGAIN, CLUSTERDOWN or a missing master is an error
    long dueNanos;               // when a waiting retry is due

    ShardCall(ClusterOutcomes owner, PendingReply parent, PartReplies parts, int part, RespRequest request,
              boolean ownsRequest, int slot, boolean write) {
        this.owner = owner;
        this.parent = parent;
        this.parts = parts;
        this.part = part;
        this.request = request;
        this.ownsRequest = ownsRequest;
        this.slot = slot;
        this.write = write;
    }

    @Override
    public void onReply(ByteBuf frame) {
        onReply(frame, io.resplit.resp.RespReplyDecoder.isError(frame));
    }

    @Override
    public void onReply(ByteBuf frame, boolean error) {
        owner.replied(this, frame, error, System.nanoTime());
    }

    @Override
    public void onReply(ByteBuf frame, boolean error, java.util.function.LongSupplier arrival) {
        owner.replied(this, frame, error, parent.startNanos == 0 ? 0 : arrival.getAsLong());
    }

    @Override
    public void onFailure(String reason, boolean maybeApplied) {
        owner.failed(this, reason, maybeApplied);
    }

    /** Releases the part's own request, if it has one. */
    void release() {
        if (ownsRequest) {
            request.release();
        }
    }
}
