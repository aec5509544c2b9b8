package io.resplit.config;

/**
 * {@code client-output-buffer-limit}, as in Redis: per class of client, a hard limit (close at once when the
 * replies waiting for the client pass it), and a soft limit with a time (close when they stay above it that
 * long). 0 turns a limit off. Redis's defaults: normal clients unlimited, pub/sub clients 32mb 8mb 60.
 */
public record OutputBufferLimits(Limit normal, Limit pubsub) {
    /** One class's limits, in bytes and seconds. */
    public record Limit(long hard, long soft, int softSeconds) {
        public boolean any() {
            return hard > 0 || soft > 0;
        }

        @Override
        public String toString() {
            return hard + " " + soft + " " + softSeconds;
        }
    }

    public static OutputBufferLimits defaults() {
        return new OutputBufferLimits(new Limit(0, 0, 0), new Limit(32L * 1024 * 1024, 8L * 1024 * 1024, 60));
    }
}
