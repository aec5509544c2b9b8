package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, with Redis's checks and error texts. Turning tracking on
 * answers once the master's invalidation feed runs (in cluster mode, every shard master's), so that nothing the
 * client reads afterwards goes unreported.
 */
final class TrackingCommand {
    /** How long CLIENT TRACKING ON waits for the masters' invalidation feeds before it gives up. */
    private static final long START_TIMEOUT_MS = 5000;

    /** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. */
    void tracking(ClientHandler c, RespRequest r) {
        long redirect = 0;
        boolean bcast = false;
        boolean optin = false;
        boolean optout = false;
        boolean noloop = false;
        List<byte[]> prefixes = new ArrayList<>();
        for (int j = 3; j < r.argc(); j++) {
            boolean more = j + 1 < r.argc();
            if (r.argIs(j, "redirect") && more) {
                j++;
                if (redirect != 0) {
                    error(c, "ERR A client can only redirect to a single other client");
                    return;
                }
                Long id = r.argLong(j);
                if (id == null) {
                    error(c, "ERR value is not an integer or out of range");
                    return;
                }
                if (c.context().clients().byId(id) == null) {
                    error(c, "ERR The client ID you want redirect to does not exist");
                    return;
                }
                redirect = id;
            } else if (r.argIs(j, "bcast")) {
                bcast = true;
            } else if (r.argIs(j, "optin")) {
                optin = true;
            } else if (r.argIs(j, "optout")) {
                optout = true;
            } else if (r.argIs(j, "noloop")) {
                noloop = true;
            } else if (r.argIs(j, "prefix") && more) {
                prefixes.add(r.argBytes(++j));
            } else {
                error(c, "ERR syntax error");
                return;
            }
        }
        ClientTracking t = c.tracking();
        if (r.argIs(2, "off")) {
            t.stop();
            c.reply(Replies.ok());
            return;
        }
        if (!r.argIs(2, "on")) {
            error(c, "ERR syntax error");
            return;
        }
        ClientTracking.Session current = t.session();
        String refusal = refusal(current, bcast, optin, optout, prefixes);
        if (refusal != null) {
            error(c, refusal);
            return;
        }
        if (bcast && prefixes.isEmpty() && (current == null || current.prefixes.isEmpty())) {
            prefixes.add(new byte[0]); // BCAST without PREFIX: every key
        }
        if (current != null) { // already on: options add up, as on Redis
            current.redirect = redirect;
            current.optin |= optin;
            current.optout |= optout;
            current.noloop |= noloop;
            addPrefixes(current, prefixes);
            c.reply(Replies.ok());
            return;
        }
        ClientTracking.Session s = t.start(redirect, bcast, optin, optout, noloop);
        addPrefixes(s, prefixes);
        PendingReply slot = new PendingReply(c, null, null, Route.LOCAL); // answered when the feed runs
        c.enqueue(slot);
        boolean[] answered = new boolean[1];
        Runnable timeout = () -> answer(c, s, slot, answered, "the masters' invalidation feeds did not start in "
                + START_TIMEOUT_MS + " ms");
        var timer = c.channel().eventLoop().schedule(timeout, START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        c.context().invalidations().enable(s).whenComplete((ok, failure) -> c.channel().eventLoop().execute(() -> {
            timer.cancel(false);
            answer(c, s, slot, answered, failure == null ? null : failure.getMessage());
        }));
    }

    private static void answer(ClientHandler c, ClientTracking.Session s, PendingReply slot, boolean[] answered,
                               String failure) {
        if (answered[0]) {
            return;
        }
        answered[0] = true;
        if (failure != null) {
            if (c.tracking().session() == s) { // not a later session the client started since
                c.tracking().stop();
            }
            c.complete(slot, RespWriter.error(c.alloc(), "ERR resplit: client tracking is unavailable: " + failure));
        } else {
            c.complete(slot, Replies.ok());
        }
    }

    /** Redis's checks on CLIENT TRACKING ON against its options and the client's current mode. */
    private static String refusal(ClientTracking.Session current, boolean bcast, boolean optin, boolean optout,
                                  List<byte[]> prefixes) {
        if (!bcast && !prefixes.isEmpty()) {
            return "ERR PREFIX option requires BCAST mode to be enabled";
        }
        if (current != null && current.bcast != bcast) {
            return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
                    + "re-enabling it with a different mode.";
        }
        if (bcast && (optin || optout)) {
            return "ERR OPTIN and OPTOUT are not compatible with BCAST";
        }
        if (optin && optout) {
            return "ERR You can't use both OPTIN and OPTOUT";
        }
        if (current != null && (optin && current.optout || optout && current.optin)) {
            return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
                    + "re-enabling it with a different mode.";
        }
        if (bcast) {
            List<byte[]> existing = current == null ? List.of() : current.prefixes;
            for (int i = 0; i < prefixes.size(); i++) {
                byte[] p = prefixes.get(i);
                for (byte[] e : existing) {
                    if (overlap(p, e) && !java.util.Arrays.equals(p, e)) {
                        return "ERR Prefix '" + text(p) + "' overlaps with an existing prefix '" + text(e)
                                + "'. Prefixes for a single client must not overlap.";
                    }
                }
                for (int j = i + 1; j < prefixes.size(); j++) {
                    if (overlap(p, prefixes.get(j))) {
                        return "ERR Prefix '" + text(p) + "' overlaps with another provided prefix '"
                                + text(prefixes.get(j)) + "'. Prefixes for a single client must not overlap.";
                    }
                }
            }
        }
        return null;
    }

    private static void addPrefixes(ClientTracking.Session s, List<byte[]> prefixes) {
        for (byte[] p : prefixes) {
            if (s.prefixes.stream().noneMatch(e -> java.util.Arrays.equals(e, p))) {
                s.prefixes.add(p);
            }
        }
    }

    private static boolean overlap(byte[] a, byte[] b) {
        return ClientTracking.startsWith(a, b) || ClientTracking.startsWith(b, a);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** CLIENT CACHING YES|NO: the next command's reads are tracked (OPTIN) or not (OPTOUT). */
    void caching(ClientHandler c, RespRequest r) {
        ClientTracking.Session s = c.tracking().session();
        if (s == null) {
            error(c, "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                    + "OPTOUT mode enabled");
        } else if (r.argIs(2, "yes")) {
            if (s.optin) {
                c.tracking().caching(true);
                c.reply(Replies.ok());
            } else {
                error(c, "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            }
        } else if (r.argIs(2, "no")) {
            if (s.optout) {
                c.tracking().caching(true);
                c.reply(Replies.ok());
            } else {
                error(c, "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            }
        } else {
            error(c, "ERR syntax error");
        }
    }

    /** CLIENT GETREDIR: -1 with tracking off, else the REDIRECT id (0: none). */
    void getRedir(ClientHandler c) {
        ClientTracking.Session s = c.tracking().session();
        c.reply(RespWriter.integer(c.alloc(), s == null ? -1 : s.redirect));
    }

    /** CLIENT TRACKINGINFO: flags, redirect and prefixes, as Redis lists them. */
    void trackingInfo(ClientHandler c) {
        ClientTracking.Session s = c.tracking().session();
        int protocol = c.session().protocol();
        List<String> flags = new ArrayList<>();
        flags.add(s == null ? "off" : "on");
        if (s != null) {
            boolean caching = c.tracking().caching();
            if (s.bcast) {
                flags.add("bcast");
            }
            if (s.optin) {
                flags.add("optin");
                if (caching) {
                    flags.add("caching-yes");
                }
            }
            if (s.optout) {
                flags.add("optout");
                if (caching) {
                    flags.add("caching-no");
                }
            }
            if (s.noloop) {
                flags.add("noloop");
            }
            if (s.brokenRedirect) {
                flags.add("broken_redirect");
            }
        }
        ByteBuf b = c.alloc().buffer(128);
        RespWriter.writeMapHeader(b, 3, protocol);
        RespWriter.writeBulk(b, "flags");
        RespWriter.writeSetHeader(b, flags.size(), protocol);
        flags.forEach(f -> RespWriter.writeBulk(b, f));
        RespWriter.writeBulk(b, "redirect");
        RespWriter.writeInteger(b, s == null ? -1 : s.redirect);
        RespWriter.writeBulk(b, "prefixes");
        List<byte[]> prefixes = s == null ? List.of() : s.prefixes;
        RespWriter.writeArrayHeader(b, prefixes.size());
        prefixes.forEach(p -> RespWriter.writeBulk(b, p));
        c.reply(b);
    }

    private static void error(ClientHandler c, String text) {
        c.reply(RespWriter.error(c.alloc(), text));
    }
}
