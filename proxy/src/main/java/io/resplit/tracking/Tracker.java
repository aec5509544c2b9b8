package io.resplit.tracking;

import io.resplit.backend.BackendNode;
import java.util.List;

/**
 * A client connection with tracking on, as the {@link InvalidationHub} sees it. The hub calls these on its feed's
 * event loop; an implementation hands the message to its client's loop, behind the replies still pending there.
 */
public interface Tracker {
    /** Keys this client read from {@code node} were changed there (one message per key, as Redis sends). */
    void invalidate(BackendNode node, List<byte[]> keys);

    /** BCAST mode: {@code node} changed these keys; the client keeps those under its prefixes. */
    void broadcast(BackendNode node, List<byte[]> keys);

    /** Anything may have changed (FLUSHALL, or a feed was lost): the client drops its whole cache. */
    void flush();

    /** Still tracking (not switched off, not disconnected); an inactive tracker's registrations are dropped lazily. */
    boolean active();

    /** In BCAST mode. */
    boolean broadcasting();

    /** Whether this client has sent reads to {@code node} (so that node's changes concern it). */
    boolean readFrom(BackendNode node);
}
