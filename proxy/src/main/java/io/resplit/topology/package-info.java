/**
 * Which nodes play which role: an immutable {@link io.resplit.topology.Topology} snapshot, swapped atomically
 * as a whole by {@link io.resplit.topology.TopologyHolder} so that a request sees one consistent view.
 */
package io.resplit.topology;
