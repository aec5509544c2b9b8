/**
 * The slow-command log, in the spirit of Redis's SLOWLOG: requests whose reply took longer than
 * {@code slowlog-log-slower-than} microseconds, newest first, at most {@code slowlog-max-len} of them, read and
 * reset over the admin console. Knows nothing of Netty or of how the proxy routes: the server package hands it
 * finished entries.
 */
package io.resplit.slowlog;
