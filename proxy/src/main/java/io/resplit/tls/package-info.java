/**
 * TLS: the contexts built from the {@code tls-*} directives (client side and backend side), swapped whole on
 * RELOAD so that new handshakes use replaced certificate files while open connections stay as they are. Uses
 * Netty's OpenSSL engine (BoringSSL, from netty-tcnative) when it loads, the JDK's otherwise.
 */
package io.resplit.tls;
