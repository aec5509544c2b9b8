package io.resplit.topology;

import io.resplit.backend.BackendNode;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Promotion by the proxy itself: {@code REPLICAOF NO ONE} on the target, {@code REPLICAOF target} on the rest. */
public final class DirectPromotion implements Promotion {
    private static final Logger log = LoggerFactory.getLogger(DirectPromotion.class);

    private final NodeCalls calls;

    public DirectPromotion(NodeCalls calls) {
        this.calls = calls;
    }

    @Override
    public void prepare(BackendNode target, List<BackendNode> others, long deadlineNanos) {
        // nothing to arrange: the proxy itself promotes
    }

    @Override
    public void finish() {
        // nothing was changed beforehand
    }

    @Override
    public void promote(BackendNode target, List<BackendNode> others, long deadlineNanos) throws IOException {
        calls.call(target.address(), "REPLICAOF", "NO", "ONE");
    }

    @Override
    public void repointOthers(BackendNode target, List<BackendNode> others) {
        for (BackendNode n : others) {
            try {
                calls.call(n.address(), "REPLICAOF", target.address().host(),
                        Integer.toString(target.address().port()));
                log.info("failover: {} now replicates {}", n.address(), target.address());
            } catch (IOException e) {
                log.warn("failover: could not repoint {}: {}", n.address(), e.getMessage());
            }
        }
    }

    @Override
    public String confirm(BackendNode target, long deadlineNanos) {
        return "";
    }
}
