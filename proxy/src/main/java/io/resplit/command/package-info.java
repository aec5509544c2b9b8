/**
 * What the proxy knows about each command: {@link io.resplit.command.CommandSpec} rows (arity, flags, key
 * positions) generated from a real Redis {@code COMMAND} reply, the proxy's own handling of the few commands it
 * answers or refuses itself, and the byte-level lookup from a request's first arguments to its spec. This is the
 * only place command names are known; everything else works with specs.
 */
package io.resplit.command;
