package io.resplit.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SampleRingTest {
    @Test
    void keepsTheNewestOldestFirst() {
        SampleRing<Integer> ring = new SampleRing<>(3);
        assertEquals(List.of(), ring.snapshot());
        ring.add(1);
        ring.add(2);
        assertEquals(List.of(1, 2), ring.snapshot());
        for (int i = 3; i <= 7; i++) {
            ring.add(i);
        }
        assertEquals(List.of(5, 6, 7), ring.snapshot());
    }
}
