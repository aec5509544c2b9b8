/**
 * The client side: the listening server, one {@link io.resplit.server.ClientHandler} per connection with its
 * {@link io.resplit.server.ClientSession} state and ordered {@link io.resplit.server.ReplyQueue}, and the
 * commands the proxy answers itself. The services they share are in {@link io.resplit.server.ProxyContext}, the
 * state that changes at runtime in its {@link io.resplit.server.RuntimeSnapshot}, replaced whole.
 */
package io.resplit.server;
