package io.resplit.topology;

import io.resplit.backend.BackendNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The listeners told after every change of master (to refresh the command table, the status page's history). */
final class MasterChanges {
    private final List<Consumer<MasterChange>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<MasterChange> listener) {
        listeners.add(listener);
    }

    /**
     * Tells every listener, each on a pool thread, off the caller's: masterSet also runs on an event loop (role
     * changes), which must not block.
     */
    void changed(BackendNode from, BackendNode to, String how, long pauseMicros) {
        MasterChange change = new MasterChange(System.currentTimeMillis(), from.address(), to.address(), how,
                pauseMicros);
        for (Consumer<MasterChange> listener : listeners) {
            CompletableFuture.runAsync(() -> listener.accept(change));
        }
    }
}
