/**
 * The proxy's own users, in redis.conf's {@code user} syntax: who may authenticate with which password, and
 * which commands, keys and channels each may use. Checked by the proxy before a request is routed; the
 * backends only ever see the proxy's own backend user. Imports the command table, nothing from server/.
 */
package io.resplit.acl;
