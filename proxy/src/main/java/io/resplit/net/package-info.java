/** Netty transport selection (native epoll where available, NIO elsewhere), shared by the client and backend sides. */
package io.resplit.net;
