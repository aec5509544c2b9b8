/**
 * The RESP wire format: request framing (multibulk and inline) into {@link io.resplit.resp.RespRequest}s that
 * keep the client's bytes, reply framing for backend streams, canned replies, and a small value parser for the
 * control plane (INFO, COMMAND). Imports nothing else from the proxy but the
 * {@code util} leaf.
 */
package io.resplit.resp;
