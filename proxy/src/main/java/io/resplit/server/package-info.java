/**
 * The client side: the listening server, one {@link io.resplit.server.ClientHandler} per connection with its
 * {@link io.resplit.server.ClientSession} state and ordered {@link io.resplit.server.ReplyQueue}, and the
 * commands the proxy answers itself.
 */
package io.resplit.server;
