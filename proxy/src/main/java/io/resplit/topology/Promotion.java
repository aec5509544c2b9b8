package io.resplit.topology;

import io.resplit.backend.BackendNode;
import java.io.IOException;
import java.util.List;

/**
 * How a planned failover makes its target the master, once writes are held everywhere (the proxy's gate, and a
 * write pause on the old master for everyone else) and the target has caught up. Direct: the proxy sends
 * {@code REPLICAOF} itself. Sentinel mode: the sentinels do it, or they would undo it.
 */
public interface Promotion {
    /**
     * Before writes are held: whatever may take long and needs no pause (the sentinels must see which replica
     * may be chosen). Throws when the failover cannot go ahead.
     */
    void prepare(BackendNode target, List<BackendNode> others, long deadlineNanos) throws IOException;

    /** Makes {@code target} a master; returns once it reports itself one, or throws. */
    void promote(BackendNode target, List<BackendNode> others, long deadlineNanos) throws IOException;

    /** After the topology switched: points {@code others} (replicas other than the old master) at the target. */
    void repointOthers(BackendNode target, List<BackendNode> others);

    /**
     * After writes flow to the target: waits (bounded) until whoever else must agree does; returns a note for
     * the admin reply, empty when there is nothing to say.
     */
    String confirm(BackendNode target, long deadlineNanos);

    /** Always last, whatever happened: undoes what {@link #prepare} changed. */
    void finish();
}
