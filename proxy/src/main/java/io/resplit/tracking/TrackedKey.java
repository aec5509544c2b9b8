package io.resplit.tracking;

import java.util.Arrays;

/** A key as bytes (keys are binary), usable in hash maps. */
final class TrackedKey {
    final byte[] bytes;
    private final int hash;

    TrackedKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrackedKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
