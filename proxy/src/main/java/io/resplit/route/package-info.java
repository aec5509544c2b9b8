/**
 * Where a request goes: {@link io.resplit.route.RouteIntent} from the command's handling and the proxy's
 * {@code read-from} setting, the {@link io.resplit.route.ReplicaPolicy} that picks a replica, and the
 * per-connection {@link io.resplit.route.ReadYourWrites} fence. No sockets here: everything is testable alone.
 */
package io.resplit.route;
