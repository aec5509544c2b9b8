/**
 * Backend side: {@link io.resplit.backend.BackendNode}s (one per Redis server) with their health and
 * replication samples, multiplexed {@link io.resplit.backend.BackendConnection}s (a FIFO of in-flight requests
 * on a pipelined connection shared by many clients), the AUTH/SELECT handshake every connection makes before
 * it carries traffic, and the {@link io.resplit.backend.NodeMonitor} that polls each node.
 */
package io.resplit.backend;
