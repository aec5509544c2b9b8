/**
 * Client-side caching (CLIENT TRACKING) through the proxy. A client's reads travel on backend connections shared
 * with other clients, so Redis's own per-connection tracking cannot tell them apart. Instead each node has one
 * invalidation feed (a RESP3 connection in {@code CLIENT TRACKING ON BCAST} mode, told of every key the node
 * changes), and the proxy keeps, per node, which tracking clients read which keys: a change a node reports
 * reaches the clients that read the key from that node, after the replies they are still waiting for.
 */
package io.resplit.tracking;
