package io.resplit.cluster;

import io.netty.buffer.ByteBuf;
import io.resplit.config.HostPort;
import java.nio.charset.StandardCharsets;

/**
 * A cluster node's redirection of a request, read from its error reply: {@code -MOVED slot host:port} (the slot
 * lives elsewhere now: go there, and learn the map again) or {@code -ASK slot host:port} (the slot is being
 * migrated and this key already moved: ask that node once, after {@code ASKING}).
 *
 * @param ask    true for ASK, false for MOVED
 * @param slot   the slot of the request's keys
 * @param target the node to send the request to
 */
public record Redirect(boolean ask, int slot, HostPort target) {
    /** The redirection {@code frame} (an error reply) carries, or null when it is another error. */
    public static Redirect of(ByteBuf frame) {
        int at = frame.readerIndex();
        boolean moved = startsWith(frame, at, "-MOVED ");
        if (!moved && !startsWith(frame, at, "-ASK ")) {
            return null;
        }
        int end = frame.indexOf(at, frame.writerIndex(), (byte) '\r');
        if (end < 0) {
            return null;
        }
        String text = frame.toString(at + 1, end - at - 1, StandardCharsets.US_ASCII);
        String[] parts = text.split(" ");
        if (parts.length != 3) {
            return null;
        }
        int colon = parts[2].lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            int slot = Integer.parseInt(parts[1]);
            String host = parts[2].substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = Integer.parseInt(parts[2].substring(colon + 1));
            return new Redirect(!moved, slot, new HostPort(host, port));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether {@code frame} is an error a node gives while the cluster settles: retried after a pause. */
    public static boolean transientError(ByteBuf frame) {
        int at = frame.readerIndex();
        return startsWith(frame, at, "-TRYAGAIN") || startsWith(frame, at, "-CLUSTERDOWN");
    }

    private static boolean startsWith(ByteBuf frame, int at, String prefix) {
        if (frame.writerIndex() - at < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (frame.getByte(at + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
