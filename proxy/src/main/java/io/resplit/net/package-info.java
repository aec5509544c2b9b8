/**
 * The I/O transport (io_uring where the kernel allows it, native epoll, NIO elsewhere), shared by the client and
 * backend sides, and the set of open connections a stop closes.
 */
package io.resplit.net;
