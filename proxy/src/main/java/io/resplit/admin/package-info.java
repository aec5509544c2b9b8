/**
 * The admin control socket: RESP over a Unix domain socket (and optionally loopback TCP with its own password),
 * so that {@code redis-cli -s admin.sock} is the operator's console. One small class per command; the server
 * runs commands on a thread of its own, never on an event loop, because a failover waits.
 */
package io.resplit.admin;
