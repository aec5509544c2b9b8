package io.resplit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Key slots as redis-server 7.0.15's CLUSTER KEYSLOT gave them, hash tags included. */
class HashSlotTest {
    private static int slot(String key) {
        return HashSlot.of(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void slotsAsRedisComputesThem() {
        assertEquals(12182, slot("foo"));
        assertEquals(5061, slot("bar"));
        assertEquals(12739, slot("123456789"));
        assertEquals(0, slot(""));
        assertEquals(0x31C3, HashSlot.crc16("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9),
                "CRC16/XMODEM check value");
    }

    @Test
    void hashTags() {
        assertEquals(3443, slot("{user1000}.following"));
        assertEquals(slot("{user1000}.following"), slot("{user1000}.followers"));
        assertEquals(8363, slot("foo{}{bar}"), "an empty tag: the whole key");
        assertEquals(4015, slot("foo{{bar}}zap"), "the tag is '{bar'");
        assertEquals(5061, slot("foo{bar}{zap}"), "only the first tag: 'bar'");
        assertEquals(slot("bar"), slot("{bar}"));
        assertEquals(slot("x{"), slot("x{"), "an unclosed '{': the whole key");
    }
}
