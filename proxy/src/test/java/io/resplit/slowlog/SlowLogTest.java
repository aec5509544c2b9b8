package io.resplit.slowlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlowLogTest {
    private static SlowLogEntry entry(long id) {
        return new SlowLogEntry(id, 1_700_000_000L, 20_000, List.of("GET".getBytes(), "k".getBytes()),
                "127.0.0.1:5000", "", "replica", "127.0.0.1:6380");
    }

    @Test
    void thresholdIsInMicrosecondsAndNegativeOrZeroLengthTurnItOff() {
        assertEquals(10_000_000L, new SlowLog(10_000, 128).thresholdNanos());
        assertEquals(0L, new SlowLog(0, 128).thresholdNanos());
        assertFalse(new SlowLog(-1, 128).enabled());
        assertEquals(SlowLog.OFF, new SlowLog(-5, 128).thresholdNanos());
        assertFalse(new SlowLog(10_000, 0).enabled());
        assertTrue(new SlowLog(10_000, 1).enabled());
    }

    @Test
    void keepsTheNewestFirstUpToMaxLenWithIdsThatSurviveReset() {
        SlowLog log = new SlowLog(0, 3);
        for (int i = 0; i < 5; i++) {
            log.add(SlowLogTest::entry);
        }
        assertEquals(3, log.length());
        assertEquals(List.of(4L, 3L, 2L), log.latest(-1).stream().map(SlowLogEntry::id).toList());
        assertEquals(List.of(4L, 3L), log.latest(2).stream().map(SlowLogEntry::id).toList());
        assertEquals(3, log.latest(10).size());
        log.reset();
        assertEquals(0, log.length());
        log.add(SlowLogTest::entry);
        assertEquals(5L, log.latest(1).get(0).id(), "ids go on after RESET, as in Redis");
        assertEquals(6L, log.added(), "the metric counts every entry, trimmed and reset ones too");
    }

    @Test
    void aShorterMaxLenDropsTheOldestAtOnce() {
        SlowLog log = new SlowLog(0, 10);
        for (int i = 0; i < 6; i++) {
            log.add(SlowLogTest::entry);
        }
        log.configure(0, 2);
        assertEquals(List.of(5L, 4L), log.latest(-1).stream().map(SlowLogEntry::id).toList());
    }
}
