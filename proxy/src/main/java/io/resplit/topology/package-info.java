/**
 * Which nodes play which role: an immutable {@link io.resplit.topology.Topology} snapshot, swapped atomically
 * as a whole through {@link io.resplit.topology.TopologyHolder} (a view over the proxy's one published runtime
 * snapshot) so that a request sees one consistent view.
 */
package io.resplit.topology;
