package io.resplit.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.resplit.backend.BackendConnection;
import io.resplit.backend.BackendNode;
import io.resplit.backend.FrameListener;
import io.resplit.cluster.ClusterDirectory;
import io.resplit.cluster.ClusterKeys;
import io.resplit.cluster.HashSlot;
import io.resplit.resp.RespRequest;
import io.resplit.resp.RespWriter;
import io.resplit.topology.Topology;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sharded Pub/Sub in cluster mode: a client's SSUBSCRIBE goes to the master of its channels' slot (all of one
 * command's channels must share a slot, as on a cluster node), on a subscriber connection of the client's own
 * to that node; SUNSUBSCRIBE goes to the nodes of the channels named, or to every node the client subscribed
 * on. What those connections stream reaches the client through the {@link PubSubSession}, which keeps the
 * counts a single node would give. When one of these connections is lost, the client loses its connection,
 * as with a cluster node's (the shard channels' node may have changed). On the client's event loop only.
 */
final class ShardSubscriptions {
    private final ClientHandler client;
    private final ClientSession session;
    private final EventLoop loop;
    private final ClusterDirectory cluster;
    private final FrameListener listener;
    private final Map<BackendNode, BackendConnection> connections = new IdentityHashMap<>();

    ShardSubscriptions(ClientHandler client, ClientSession session, EventLoop loop, ClusterDirectory cluster,
                       FrameListener listener) {
        this.client = client;
        this.session = session;
        this.loop = loop;
        this.cluster = cluster;
        this.listener = listener;
    }

    /**
     * Sends SSUBSCRIBE or SUNSUBSCRIBE {@code r} to the node(s) of its channels; takes ownership. Returns how
     * many confirmations the client will get, or -1 when it got an error instead.
     */
    int send(RespRequest r, boolean subscribe) {
        try {
            if (r.argc() == 1) { // SUNSUBSCRIBE of everything: every node subscribed on (or one, to confirm)
                List<BackendConnection> all = new ArrayList<>(connections.values());
                if (all.isEmpty()) {
                    BackendConnection c = connection(anyMaster());
                    if (c == null) {
                        return unavailable();
                    }
                    all.add(c);
                }
                all.forEach(c -> c.sendStreamed(r.retainedFrame()));
                return 0;
            }
            Map<BackendNode, List<byte[]>> byNode = new LinkedHashMap<>();
            int slot = ClusterKeys.NO_KEYS;
            for (int i = 1; i < r.argc(); i++) {
                byte[] channel = r.argBytes(i);
                int s = HashSlot.of(channel);
                if (subscribe && slot != ClusterKeys.NO_KEYS && s != slot) {
                    client.reply(RespWriter.error(client.alloc(), ClusterKeys.CROSSSLOT_ERROR));
                    return -1;
                }
                slot = s;
                Topology shard = cluster.view().shard(s);
                if (shard == null) {
                    client.reply(RespWriter.error(client.alloc(), "CLUSTERDOWN Hash slot not served"));
                    return -1;
                }
                byNode.computeIfAbsent(shard.master(), n -> new ArrayList<>()).add(channel);
            }
            for (Map.Entry<BackendNode, List<byte[]>> e : byNode.entrySet()) {
                BackendConnection c = connection(e.getKey());
                if (c == null) {
                    return unavailable();
                }
                List<byte[]> args = new ArrayList<>(e.getValue().size() + 1);
                args.add(r.argBytes(0));
                args.addAll(e.getValue());
                // the connection takes the request's only reference
                c.sendStreamed(RespRequest.of(client.alloc(), args.toArray(new byte[0][])).frame());
            }
            return r.argc() - 1;
        } finally {
            r.release();
        }
    }

    private int unavailable() {
        client.reply(RespWriter.error(client.alloc(), "CLUSTERDOWN resplit: the channel's node is unavailable"));
        return -1;
    }

    private BackendNode anyMaster() {
        List<Topology> shards = cluster.view().shardsBySlot();
        return shards.isEmpty() ? null : shards.get(0).master();
    }

    /** The client's subscriber connection to {@code node}, opened on first use; null while it cannot be. */
    private BackendConnection connection(BackendNode node) {
        if (node == null) {
            return null;
        }
        BackendConnection c = connections.get(node);
        if (c != null && !c.isClosed()) {
            return c;
        }
        c = node.dedicated(loop, session.loopIndex(), session.protocol(), 0);
        if (c == null) {
            return null;
        }
        BackendConnection opened = c;
        c.stream(new FrameListener() {
            @Override
            public void onFrame(ByteBuf frame) {
                listener.onFrame(frame);
            }

            @Override
            public void onClosed(String reason) {
                if (connections.get(node) == opened) {
                    connections.remove(node);
                    if (!client.discardsReplies()) {
                        client.closeNow(); // its shard channels' subscriptions are gone: the client starts over
                    }
                }
            }
        });
        connections.put(node, c);
        return c;
    }

    /** Follows the client's writability. */
    void clientWritable(boolean writable) {
        connections.values().forEach(c -> c.readFromServer(writable));
    }

    /** The client has gone, or RESET: every shard subscriber connection closes. */
    void close(String reason) {
        List<BackendConnection> all = new ArrayList<>(connections.values());
        connections.clear();
        all.forEach(c -> c.discard(reason));
    }
}
