/**
 * Where a request goes: the {@link io.resplit.route.Router} gives a command's {@link io.resplit.route.Route}
 * from its handling and the proxy's {@code read-from} setting, and the lane a forwarded request travels on from
 * that route and the client's session state; the {@link io.resplit.route.ReplicaPolicy} picks a replica, and
 * the per-connection {@link io.resplit.route.ReadYourWrites} fence. No sockets here: everything is testable alone.
 */
package io.resplit.route;
