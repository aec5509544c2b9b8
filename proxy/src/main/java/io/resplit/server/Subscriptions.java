package io.resplit.server;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one client is subscribed to, as its nodes confirmed it, and the confirmations still due. From these its
 * {@link PubSubSession} knows whether the client is in subscribed mode, what to subscribe to again on a new
 * connection, and which confirmations of that re-subscription to keep from the client, which never asked for
 * them. On the client's event loop only.
 */
final class Subscriptions {
    /** The three kinds of subscription Redis counts separately. */
    enum Kind { CHANNEL, PATTERN, SHARD }

    private final Set<String> channels = new LinkedHashSet<>();
    private final Set<String> patterns = new LinkedHashSet<>();
    private final Set<String> shardChannels = new LinkedHashSet<>();
    private boolean subscribed;
    private int subscribesInFlight; // confirmations still due for subscribe commands sent
    private int swallow;            // confirmations of a re-subscription, which the client must not see

    /** How many subscriptions of {@code kind} the client has (as confirmed by Redis). */
    int count(Kind kind) {
        return names(kind).size();
    }

    /** The names subscribed to as {@code kind}, in the order they were confirmed. */
    Set<String> names(Kind kind) {
        return switch (kind) {
            case CHANNEL -> channels;
            case PATTERN -> patterns;
            case SHARD -> shardChannels;
        };
    }

    /** In subscribed mode (RESP2): only (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET are allowed. */
    boolean subscribed() {
        return subscribed;
    }

    /** A subscribe command was sent: the client is in subscribed mode, {@code confirmations} more are due. */
    void subscribing(int confirmations) {
        subscribed = true;
        subscribesInFlight += confirmations;
    }

    /** Whether a subscribe command sent has not been confirmed yet. */
    boolean confirmationsDue() {
        return subscribesInFlight > 0;
    }

    /**
     * A node confirmed a (p|s)(un)subscribe of one name ({@code confirmation}: kind, name, count); false when the
     * client must not see it, as a confirmation of a re-subscription.
     */
    boolean confirmed(String kind, List<?> confirmation) {
        String name = (String) confirmation.get(1);
        long count = (Long) confirmation.get(2);
        Set<String> set = kind.startsWith("psub") || kind.startsWith("punsub") ? patterns
                : kind.startsWith("ssub") || kind.startsWith("sunsub") ? shardChannels : channels;
        if (kind.endsWith("unsubscribe")) {
            if (name != null) {
                set.remove(name);
            }
            if (count == 0 && subscribesInFlight == 0) {
                subscribed = false;
            }
        } else {
            set.add(name);
            if (swallow == 0 && subscribesInFlight > 0) {
                subscribesInFlight--;
            }
        }
        if (swallow > 0) {
            swallow--;
            return false;
        }
        return true;
    }

    /**
     * Cluster mode: one node confirmed an ssubscribe or sunsubscribe of {@code name}; the client leaves subscribed
     * mode when nothing at all is left.
     */
    void shardConfirmed(String kind, String name) {
        if (kind.equals("ssubscribe")) {
            shardChannels.add(name);
            if (subscribesInFlight > 0) {
                subscribesInFlight--;
            }
        } else {
            if (name != null) {
                shardChannels.remove(name);
            }
            if (channels.isEmpty() && patterns.isEmpty() && shardChannels.isEmpty() && subscribesInFlight == 0) {
                subscribed = false;
            }
        }
    }

    /** Everything is being subscribed to again on a new connection: its confirmations are the proxy's own. */
    void resubscribing() {
        swallow = channels.size() + patterns.size() + shardChannels.size();
        subscribesInFlight = 0;
    }

    /** RESET: every subscription ends. */
    void clear() {
        channels.clear();
        patterns.clear();
        shardChannels.clear();
        subscribed = false;
        subscribesInFlight = 0;
        swallow = 0;
    }
}
