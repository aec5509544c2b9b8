package io.resplit.cluster;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.ControlClient;
import io.resplit.config.HostPort;
import io.resplit.resp.RespValues;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a cluster's slot map from one node: {@code CLUSTER SHARDS}, or {@code CLUSTER SLOTS} on servers older
 * than Redis 7; and, as the map does not say it, the slots each master is migrating away ({@code CLUSTER NODES}).
 * Blocking calls on connections of their own ({@link ControlClient}): for the control thread, never an event loop.
 */
final class SlotMapReader {
    // under the directory's name: every line about the cluster map comes from one logger
    private static final Logger log = LoggerFactory.getLogger(ClusterDirectory.class);

    private final BackendCredentials credentials;
    private final int timeoutMs;

    SlotMapReader(BackendCredentials credentials, int timeoutMs) {
        this.credentials = credentials;
        this.timeoutMs = timeoutMs;
    }

    /** The map as the node at {@code at} gives it; null when it gives none (down, not in cluster mode, ...). */
    SlotMap read(HostPort at) {
        try {
            Object reply = ControlClient.call(at, credentials, timeoutMs, List.<String[]>of(
                    new String[] {"CLUSTER", "SHARDS"})).get(0);
            if (reply instanceof List<?> shards) {
                return SlotMap.fromClusterShards(shards, credentials.tls() != null);
            }
            // before Redis 7: CLUSTER SHARDS is an unknown subcommand. CLUSTER SLOTS gives the TLS port to a TLS
            // connection of a cluster with tls-cluster yes, as MOVED and ASK do
            reply = ControlClient.call(at, credentials, timeoutMs, List.<String[]>of(
                    new String[] {"CLUSTER", "SLOTS"})).get(0);
            if (reply instanceof List<?> slots) {
                return SlotMap.fromClusterSlots(slots);
            }
            log.warn("cluster node {} gave no slot map: {}", at, reply instanceof RespValues.Error e ? e.message()
                    : reply);
        } catch (IOException | RuntimeException e) {
            log.debug("cluster node {} did not give its slot map: {}", at, e.toString());
        }
        return null;
    }

    /**
     * The slots some master of {@code map} is migrating away, from each master's own CLUSTER NODES line
     * ({@code [slot->-id]}). A master that does not answer counts as migrating nothing.
     */
    BitSet migrating(SlotMap map) {
        BitSet out = new BitSet(HashSlot.SLOTS);
        for (SlotMap.Shard s : map.shards()) {
            try {
                Object reply = ControlClient.call(s.master(), credentials, timeoutMs, List.<String[]>of(
                        new String[] {"CLUSTER", "NODES"})).get(0);
                if (reply instanceof String nodes) {
                    for (String line : nodes.split("\n")) {
                        if (line.contains("myself")) {
                            for (String field : line.trim().split(" ")) {
                                int arrow = field.indexOf("->-");
                                if (field.startsWith("[") && arrow > 1) {
                                    out.set(Integer.parseInt(field.substring(1, arrow)));
                                }
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.debug("cluster node {} did not list its migrating slots: {}", s.master(), e.toString());
            }
        }
        return out;
    }
}
