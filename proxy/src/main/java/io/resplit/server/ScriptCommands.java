package io.resplit.server;

import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;

/**
 * Keeps scripts usable on every node. Redis does not replicate SCRIPT LOAD, and a replica or a restarted node
 * may lack a script a client loaded through the proxy; so the proxy sends SCRIPT LOAD (and SCRIPT FLUSH) to
 * every node, remembers bodies from SCRIPT LOAD, EVAL and EVAL_RO in a {@link ScriptCache}, and when an
 * EVALSHA or EVALSHA_RO is answered NOSCRIPT by a node lacking a remembered script, loads it there and runs
 * the call again (see {@link Forwarder#replied}).
 */
final class ScriptCommands {
    private final ScriptCache cache = new ScriptCache();

    ScriptCache cache() {
        return cache;
    }

    /** Sends a copy of {@code r} to every replica that is up, ignoring the replies (SCRIPT LOAD, SCRIPT FLUSH). */
    private static void sendToReplicas(ClientHandler c, RespRequest r) {
        for (io.resplit.backend.BackendNode replica : c.context().topology().current().replicas()) {
            io.resplit.backend.BackendConnection conn = replica.isUp() ? c.forwarder().shared().connection(replica) : null;
            if (conn != null) {
                conn.send(r.retainedFrame(), io.resplit.backend.ReplyCallback.IGNORE);
            }
        }
    }

    /** Called for each request before it is forwarded to a backend. */
    void beforeForward(ClientHandler c, PendingReply p) {
        beforeForward(c, p, true);
    }

    /**
     * As {@link #beforeForward(ClientHandler, PendingReply)}; without {@code copyToReplicas} SCRIPT LOAD and
     * SCRIPT FLUSH are not copied to the replicas (cluster mode sends them to every node itself).
     */
    void beforeForward(ClientHandler c, PendingReply p, boolean copyToReplicas) {
        CommandSpec spec = p.spec;
        if (spec == null) {
            return;
        }
        RespRequest r = p.request;
        switch (spec.name()) {
            case "eval", "eval_ro" -> {
                if (r.argc() >= 2) {
                    cache.remember(r.argBytes(1));
                }
            }
            case "evalsha", "evalsha_ro" -> {
                if (r.argc() >= 2) {
                    p.scriptSha(r.argString(1));
                }
            }
            case "script|load" -> {
                if (r.argc() == 3) {
                    cache.remember(r.argBytes(2));
                    if (copyToReplicas) {
                        sendToReplicas(c, r);
                    }
                }
            }
            case "script|flush" -> {
                cache.clear();
                if (copyToReplicas) {
                    sendToReplicas(c, r);
                }
            }
            default -> {
            }
        }
    }
}
