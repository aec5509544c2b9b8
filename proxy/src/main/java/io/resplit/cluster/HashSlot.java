package io.resplit.cluster;

/**
 * Redis Cluster's key-to-slot rule: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key modulo 16384;
 * when the key holds a hash tag, a non-empty part between the first {@code {} and the first {@code }} after
 * it, only that part is hashed, so that keys sharing a tag share a slot.
 */
public final class HashSlot {
    public static final int SLOTS = 16384;
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xffff;
        }
    }

    private HashSlot() {
    }

    /** The slot of {@code key}, as {@code CLUSTER KEYSLOT} gives it. */
    public static int of(byte[] key) {
        int from = 0;
        int to = key.length;
        for (int open = 0; open < key.length; open++) {
            if (key[open] == '{') {
                for (int close = open + 1; close < key.length; close++) {
                    if (key[close] == '}') {
                        if (close > open + 1) { // "{}" is no tag: the whole key is hashed
                            from = open + 1;
                            to = close;
                        }
                        break;
                    }
                }
                break; // only the first '{' counts
            }
        }
        return crc16(key, from, to) & (SLOTS - 1);
    }

    static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xff]) & 0xffff;
        }
        return crc;
    }
}
