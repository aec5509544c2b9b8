/**
 * Redis Cluster behind the proxy (issue 16), the parts that need no sockets: which hash slot a key belongs to
 * ({@link io.resplit.cluster.HashSlot}) and which shard serves each slot ({@link io.resplit.cluster.SlotMap},
 * read from {@code CLUSTER SHARDS} or {@code CLUSTER SLOTS}). Routing by slot builds on these.
 */
package io.resplit.cluster;
