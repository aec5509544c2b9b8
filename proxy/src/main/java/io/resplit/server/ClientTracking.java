package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.backend.BackendNode;
import io.resplit.command.CommandKeys;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import io.resplit.tracking.InvalidationHub;
import io.resplit.tracking.InvalidationMessages;
import io.resplit.tracking.Tracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client's CLIENT TRACKING state: its mode and options, the CLIENT CACHING choice for its next command, and
 * the {@link Tracker} the {@link InvalidationHub} notifies. Reads are registered with the node that serves them
 * just before they are sent, after their slot in the reply queue is taken: an invalidation therefore always
 * reaches the client after the reply of every read it concerns, and the client drops what it cached.
 * Options are changed on the client's event loop; the tracker is called from the hub's.
 */
final class ClientTracking {
    private final ClientHandler client;
    private final InvalidationHub hub;
    private Session session;       // null while tracking is off
    private boolean caching;       // CLIENT CACHING yes (OPTIN) / no (OPTOUT) for the next command

    ClientTracking(ClientHandler client, InvalidationHub hub) {
        this.client = client;
        this.hub = hub;
    }

    boolean on() {
        return session != null;
    }

    Session session() {
        return session;
    }

    boolean caching() {
        return caching;
    }

    void caching(boolean value) {
        caching = value;
    }

    /**
     * Whether the keys of {@code spec}, about to be sent, are remembered for this client: tracking on in the
     * default mode, a command that reads keys (a read-only command, or a script, whose declared keys Redis
     * tracks when it reads), and the OPTIN / OPTOUT choice. NOLOOP: the keys this client writes stop being
     * tracked for it, as on Redis, where its own change removes them without telling it.
     */
    void beforeForward(PendingReply p) {
        Session s = session;
        CommandSpec spec = p.spec;
        if (s == null || spec == null) {
            return;
        }
        RespRequest r = p.request;
        if (s.noloop && spec.hasFlag("write")) {
            List<Integer> keys = CommandKeys.indexes(spec, r);
            if (keys != null && s.bcast && p.route() != io.resplit.route.Route.BLOCKING) {
                // (a blocking write may wait without limit: its keys' changes meanwhile are others')
                p.ownWriteKeys(new ArrayList<>(keys.size()));
                for (int i : keys) {
                    p.ownWriteKeys().add(r.argBytes(i));
                    s.own.started(r.argBytes(i));
                }
            } else if (keys != null) {
                for (int i : keys) {
                    hub.wrote(s, r.argBytes(i));
                }
            }
        }
        boolean reads = spec.hasFlag("readonly") || isScript(spec);
        p.tracked(!s.bcast && reads && (s.optin ? caching : !s.optout || !caching));
    }

    /** BCAST NOLOOP: a write of this client answered; its keys count as its own until the node reported them. */
    void writeAnswered(PendingReply p) {
        Session s = session;
        List<byte[]> keys = p.ownWriteKeys();
        p.ownWriteKeys(null);
        if (s == null || keys == null) {
            return;
        }
        if (p.node == null) {
            keys.forEach(s.own::finished); // never sent anywhere
        } else {
            hub.afterChangesReported(p.node, () -> keys.forEach(s.own::finished));
        }
    }

    /** After each command but CLIENT ...: the CLIENT CACHING choice applied to it (a transaction keeps it). */
    void commandDone(CommandSpec spec, boolean inMulti) {
        if (caching && !inMulti && (spec == null || !spec.name().startsWith("client|"))) {
            caching = false;
        }
    }

    /** A tracked read of {@code r} goes to {@code node} now: remember its keys there. */
    void read(BackendNode node, RespRequest r, CommandSpec spec) {
        Session s = session;
        if (s == null) {
            return;
        }
        s.readFrom.add(node);
        hub.covers(node); // starts the node's feed if it has none (a new master after a failover)
        List<Integer> keys = isScript(spec) ? CommandKeys.scriptKeys(r) : CommandKeys.indexes(spec, r);
        if (keys != null) {
            for (int i : keys) {
                hub.read(node, s, r.argBytes(i));
            }
        }
    }

    /** Whether a tracked read may go to {@code node}: only where the node's changes are reported. */
    boolean covers(BackendNode node) {
        return hub.covers(node);
    }

    private static boolean isScript(CommandSpec spec) {
        // EVAL, EVALSHA, FCALL and their _RO forms: scripts declare their keys after numkeys
        return spec.hasFlag("movablekeys") && spec.aclCategories().contains("scripting");
    }

    /** Turns tracking on with fresh state (it was off); the hub is told when the caller is ready. */
    Session start(long redirect, boolean bcast, boolean optin, boolean optout, boolean noloop) {
        session = new Session(client, hub, redirect, bcast, optin, optout, noloop);
        caching = false;
        return session;
    }

    /** CLIENT TRACKING OFF, RESET, or the client left. */
    void stop() {
        Session s = session;
        if (s != null) {
            session = null;
            s.active = false;
            s.owner = null; // the hub may hold the session until its keys change: not the connection with it
            hub.disable(s);
        }
        caching = false;
    }

    /**
     * One period of tracking on (from ON to OFF): what the hub holds registrations for. A new one each time
     * tracking is turned on, so that keys read before an OFF are not reported after the next ON.
     */
    static final class Session implements Tracker {
        private final InvalidationHub hub;
        private volatile ClientHandler owner;
        volatile long redirect;
        final boolean bcast;
        volatile boolean optin;
        volatile boolean optout;
        volatile boolean noloop;
        volatile boolean brokenRedirect;
        volatile boolean active = true;
        final List<byte[]> prefixes = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Set<BackendNode> readFrom = ConcurrentHashMap.newKeySet();
        final io.resplit.tracking.OwnWrites own = new io.resplit.tracking.OwnWrites();

        Session(ClientHandler owner, InvalidationHub hub, long redirect, boolean bcast, boolean optin,
                boolean optout, boolean noloop) {
            this.owner = owner;
            this.hub = hub;
            this.redirect = redirect;
            this.bcast = bcast;
            this.optin = optin;
            this.optout = optout;
            this.noloop = noloop;
        }

        @Override
        public void invalidate(BackendNode node, List<byte[]> keys) {
            for (byte[] k : keys) {
                send(List.of(k)); // one message per key, as Redis sends in the default mode
            }
        }

        @Override
        public void broadcast(BackendNode node, List<byte[]> keys) {
            boolean master = noloop && hub.isMaster(node);
            for (byte[] prefix : prefixes) { // one message per prefix, as Redis sends in BCAST mode
                List<byte[]> matching = new ArrayList<>();
                for (byte[] k : keys) {
                    if (startsWith(k, prefix) && !(noloop && own.own(node, master, k, readFrom))) {
                        matching.add(k);
                    }
                }
                if (!matching.isEmpty()) {
                    send(matching);
                }
            }
        }

        @Override
        public void flush() {
            own.forgetEchoes(); // the client drops everything: a skipped echo no longer matters
            send(null);
        }

        @Override
        public boolean active() {
            return active;
        }

        @Override
        public boolean broadcasting() {
            return bcast;
        }

        @Override
        public boolean readFrom(BackendNode node) {
            return readFrom.contains(node);
        }

        /** Hands an invalidation to its target's event loop: this client, or the REDIRECT target. */
        private void send(List<byte[]> keys) {
            ClientHandler client = owner;
            if (!active || client == null) {
                return;
            }
            long to = redirect;
            if (to == 0) {
                deliver(client, keys, false);
                return;
            }
            ClientHandler target = client.context().clients().byId(to);
            if (target != null) {
                deliver(target, keys, true);
                return;
            }
            brokenRedirect = true;
            client.channel().eventLoop().execute(() -> {
                if (!client.discardsReplies() && client.session().protocol() >= 3) {
                    client.push(InvalidationMessages.redirectBroken(client.alloc(), to));
                }
            });
        }
    }

    /**
     * Writes an invalidation to {@code target} on its loop, behind its pending replies: as a push in RESP3; in
     * RESP2 only to a REDIRECT target in subscribed mode, as a message on {@code __redis__:invalidate}.
     */
    private static void deliver(ClientHandler target, List<byte[]> keys, boolean redirected) {
        target.channel().eventLoop().execute(() -> {
            if (target.discardsReplies()) {
                return;
            }
            int protocol = target.session().protocol();
            if (protocol < 3 && !(redirected && target.pubsub() != null && target.pubsub().subscribed())) {
                return; // RESP2 has no pushes outside subscribed mode
            }
            ByteBuf frame = InvalidationMessages.invalidate(target.alloc(), keys, protocol);
            target.push(frame);
        });
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
