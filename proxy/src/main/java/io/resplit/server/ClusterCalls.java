package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.resplit.backend.BackendNode;
import io.resplit.cluster.ClusterKeys;
import io.resplit.cluster.ClusterView;
import io.resplit.cluster.ScanCursor;
import io.resplit.command.ShardPolicy;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.route.Route;
import io.resplit.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client request becomes in cluster mode, by the command's shard policy (Redis's command tips): one call
 * to the shard of its keys' slot; one call per slot ({@code multi_shard}: MGET, MSET, DEL, ...); one per master
 * or per node ({@code all_shards}, {@code all_nodes}); one SCAN step on the shard the cursor names; or, at once,
 * a reply (CROSSSLOT, a bad cursor, a finished SCAN). Builds calls, sends nothing.
 */
final class ClusterCalls {
    /** The calls to send, or the client's reply when there is nothing to send. */
    record Plan(List<ShardCall> calls, ByteBuf reply) {
    }

    private final ClusterOutcomes owner;
    private final ByteBufAllocator alloc;

    ClusterCalls(ClusterOutcomes owner, ByteBufAllocator alloc) {
        this.owner = owner;
        this.alloc = alloc;
    }

    Plan plan(PendingReply p, ClusterView view) {
        if (p.route() == Route.LOCAL) {
            return single(p, false); // the proxy's own INFO or CONFIG GET: one node's answer stands for all
        }
        boolean write = p.route() != Route.REPLICA;
        ShardPolicy policy = p.spec == null ? ShardPolicy.DEFAULT : p.spec.shardPolicy();
        return switch (policy.request()) {
            // replies Redis merges by logic of its own (MEMORY STATS, FUNCTION STATS, LATENCY DOCTOR): one node's
            case ALL_SHARDS, ALL_NODES -> policy.response() == ShardPolicy.Response.SPECIAL ? single(p, write)
                    : fanOut(p, policy, view, write);
            case MULTI_SHARD -> {
                // a conditional multi-key write (MSETNX: all or nothing) cannot be split: CROSSSLOT, as Redis
                ClusterKeys.Split split = policy.response() == ShardPolicy.Response.AGG_MIN ? null
                        : ClusterKeys.split(p.spec, p.request);
                yield split == null ? single(p, write) : bySlot(p, policy, split, write);
            }
            case SPECIAL -> "scan".equals(p.spec.name()) ? scan(p, view)
                    : error("ERR resplit: '" + p.spec.name() + "' is not supported in cluster mode");
            default -> single(p, write);
        };
    }

    private Plan error(String text) {
        return new Plan(List.of(), RespWriter.error(alloc, text));
    }

    private Plan single(PendingReply p, boolean write) {
        List<Integer> keys = ClusterKeys.keyIndexes(p.spec, p.request);
        int slot = ClusterKeys.slot(keys, p.request);
        if (slot == ClusterKeys.CROSS_SLOT) {
            return error(ClusterKeys.CROSSSLOT_ERROR);
        }
        ShardCall c = new ShardCall(owner, p, null, 0, p.request, false, slot, write);
        c.multiKey = keys.size() > 1;
        return new Plan(List.of(c), null);
    }

    private Plan bySlot(PendingReply p, ShardPolicy policy, ClusterKeys.Split split, boolean write) {
        boolean ordered = policy.response() == ShardPolicy.Response.DEFAULT; // MGET: values back in key order
        PartReplies parts = new PartReplies(split.parts(), policy.response(), ordered ? split.positions() : null,
                split.groups());
        List<ShardCall> calls = new ArrayList<>(split.parts());
        for (int i = 0; i < split.parts(); i++) {
            RespRequest part = RespRequest.of(alloc, split.args().get(i).toArray(byte[][]::new));
            ShardCall c = new ShardCall(owner, p, parts, i, part, true, split.slot()[i], write);
            c.multiKey = split.positions()[i].length > 1;
            calls.add(c);
        }
        return new Plan(calls, null);
    }

    /**
     * Every master ({@code all_shards}), or every master and every replica that is up ({@code all_nodes}: SCRIPT
     * LOAD, SCRIPT FLUSH; a replica that is down gets a script again when an EVALSHA finds it missing), gets the
     * request as it is.
     */
    private Plan fanOut(PendingReply p, ShardPolicy policy, ClusterView view, boolean write) {
        List<BackendNode> targets = new ArrayList<>();
        int masters = 0;
        for (Topology shard : view.shardsBySlot()) {
            targets.add(masters++, shard.master());
            if (policy.request() == ShardPolicy.Request.ALL_NODES) {
                shard.replicas().stream().filter(BackendNode::isUp).forEach(targets::add);
            }
        }
        if (targets.isEmpty()) {
            return error("CLUSTERDOWN Hash slot not served");
        }
        PartReplies parts = new PartReplies(targets.size(), policy.response(), null, 0);
        List<ShardCall> calls = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            // only a master's part fences the client's reads: a replica's copy of SCRIPT LOAD changes no data
            ShardCall c = new ShardCall(owner, p, parts, i, p.request, false, ShardCall.ANY_SLOT, write && i < masters);
            c.fixed = targets.get(i);
            calls.add(c);
        }
        return new Plan(calls, null);
    }

    /** SCAN over every shard in turn, the shard's index kept in the cursor the client gets ({@link ScanCursor}). */
    private Plan scan(PendingReply p, ClusterView view) {
        if (p.request.argc() < 2) {
            return error(p.spec.wrongArityError());
        }
        List<Topology> shards = ScanCursor.order(view);
        ScanCursor.Position at = ScanCursor.decode(p.request.argString(1), shards.size());
        if (at == null) {
            return error("ERR invalid cursor");
        }
        if (at.shard() >= shards.size()) {
            return new Plan(List.of(), ScanCursor.finished(alloc));
        }
        byte[][] args = new byte[p.request.argc()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = i == 1 ? Long.toUnsignedString(at.nodeCursor()).getBytes(StandardCharsets.US_ASCII)
                    : p.request.argBytes(i);
        }
        ShardCall c = new ShardCall(owner, p, PartReplies.scan(at.shard(), shards.size()), 0,
                RespRequest.of(alloc, args), true, ShardCall.ANY_SLOT, false);
        c.fixed = shards.get(at.shard()).master();
        return new Plan(List.of(c), null);
    }
}
