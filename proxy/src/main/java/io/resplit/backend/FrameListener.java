package io.resplit.backend;

import io.netty.buffer.ByteBuf;

/**
 * Receives every frame of a connection in streaming mode (a subscriber connection), where replies do not pair
 * one to one with requests. Called on the connection's event loop.
 */
public interface FrameListener {
    /** One whole frame; ownership passes to the callee. */
    void onFrame(ByteBuf frame);

    /** The connection closed; no more frames will come. */
    void onClosed(String reason);
}
