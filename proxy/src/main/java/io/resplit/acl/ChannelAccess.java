package io.resplit.acl;

import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import java.util.Arrays;

/**
 * Whether a user's channel patterns ({@code &pattern}) allow a pub/sub request: PUBLISH and SPUBLISH name one
 * channel, SUBSCRIBE and SSUBSCRIBE several, each matched against the patterns; a PSUBSCRIBE pattern must be one
 * of the user's patterns exactly, as in Redis 7. Other commands name no channel.
 */
final class ChannelAccess {
    private ChannelAccess() {
    }

    static boolean allowed(AclUser user, CommandSpec spec, RespRequest r) {
        switch (spec.name()) {
            case "publish", "spublish" -> {
                return r.argc() < 2 || matches(user, r.argBytes(1));
            }
            case "subscribe", "ssubscribe" -> {
                for (int i = 1; i < r.argc(); i++) {
                    if (!matches(user, r.argBytes(i))) {
                        return false;
                    }
                }
                return true;
            }
            case "psubscribe" -> {
                for (int i = 1; i < r.argc(); i++) {
                    byte[] pattern = r.argBytes(i);
                    if (user.channels.stream().noneMatch(c -> Arrays.equals(c, pattern))) {
                        return false;
                    }
                }
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    private static boolean matches(AclUser user, byte[] channel) {
        for (byte[] p : user.channels) {
            if (Glob.matches(p, channel)) {
                return true;
            }
        }
        return false;
    }
}
