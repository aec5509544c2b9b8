package io.resplit.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After every test class: nudges the garbage collector and Netty's leak detector, then fails if any buffer
 * leak has been reported so far. Registered for all tests through the service loader.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks();
    }

    /** Fails if Netty's leak detector has reported a buffer collected unreleased, after nudging it to look. */
    public static void assertNoLeaks() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            // the detector reports collected leaks when new buffers are tracked
            for (int i = 0; i < 200; i++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                a.release();
                b.release();
            }
        }
        if (!LeakCounter.reports().isEmpty()) {
            throw new AssertionError(LeakCounter.reports().size() + " Netty buffer leak report(s), first:\n"
                    + LeakCounter.reports().get(0));
        }
    }
}
