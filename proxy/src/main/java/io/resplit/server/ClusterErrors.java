package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.cluster.ClusterDirectory;
import io.resplit.cluster.Redirect;

/**
 * What a node's error reply to a cluster call means for the call: sent on where a redirection points (MOVED,
 * ASK, and a NOSCRIPT the proxy can repair by loading the script there), sent again after a pause (TRYAGAIN,
 * CLUSTERDOWN, a fan-out write a failover just refused with READONLY, a blocked command a failover released with
 * UNBLOCKED), or passed to the client. Prepares the
 * call for its next send; the caller sends it.
 */
final class ClusterErrors {
    /** A request is redirected at most this many times before the client gets the node's reply. */
    private static final int MAX_REDIRECTS = 5;

    /** What to do with the call. */
    enum Next {
        /** Send it again now, to the node it names ({@link ShardCall#asking}). */
        REDIRECT,
        /** Send it again after a pause. */
        RETRY,
        /** The client gets the error. */
        DELIVER
    }

    private final ClusterDirectory cluster;
    private final ScriptCache scripts;

    ClusterErrors(ClusterDirectory cluster, ScriptCache scripts) {
        this.cluster = cluster;
        this.scripts = scripts;
    }

    /** The fate of {@code c}, whose node answered the error {@code frame} (left to the caller to release). */
    Next after(ShardCall c, ByteBuf frame, RetryQueue retries) {
        Redirect r = Redirect.of(frame);
        if (r != null && c.redirects < MAX_REDIRECTS) {
            c.redirects++;
            if (r.ask()) {
                cluster.askedFor(r.slot()); // its reads go to the master (and follow ASK) from now on
            } else {
                cluster.moved(r.slot(), r.target()); // later requests for the slot go there at once
            }
            cluster.redirected(r.ask());
            c.asking = cluster.node(r.target());
            c.askingNeeded = r.ask();
            return Next.REDIRECT;
        }
        if (reloadScript(c, frame)) {
            return Next.REDIRECT;
        }
        if (c.overtaken && ErrorReplies.TRYAGAIN.starts(frame)) {
            // a later call of the client for the slot went out while this write was in flight (the proxy did not
            // know yet that the slot migrates): sent again, the write would run after it, so the client learns it
            // did not run, as a cluster client would
            return Next.DELIVER;
        }
        boolean demoted = c.write && c.fixed != null && ErrorReplies.READONLY.starts(frame); // a fan-out write
        // a blocked command's master became a replica (a failover): it blocks again on the new one, for the
        // time it had left (ClusterConnections)
        boolean unblocked = c.parent.lane() == io.resplit.route.Route.BLOCKING && ErrorReplies.UNBLOCKED.starts(frame);
        if ((demoted || unblocked || Redirect.transientError(frame)) && retries.withinDeadline(c)) {
            cluster.refreshSoon();
            return Next.RETRY;
        }
        return Next.DELIVER;
    }

    /**
     * NOSCRIPT to an EVALSHA whose script the proxy has seen (a node added or restarted since SCRIPT LOAD went
     * to every node): loaded on that node, ahead of the call sent there again, once.
     */
    private boolean reloadScript(ShardCall c, ByteBuf frame) {
        PendingReply p = c.parent;
        if (p.scriptSha() == null || p.scriptReloaded() || !ErrorReplies.NOSCRIPT.starts(frame)) {
            return false;
        }
        byte[] body = scripts.body(p.scriptSha());
        if (body == null) {
            return false; // never seen: the client gets NOSCRIPT, as from Redis
        }
        p.scriptReloaded(true);
        c.loadFirst = body;
        c.asking = c.node; // the node that lacked it
        c.askingNeeded = false;
        return true;
    }
}
