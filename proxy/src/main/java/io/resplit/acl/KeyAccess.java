package io.resplit.acl;

import io.resplit.command.CommandKeys;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import java.util.List;

/**
 * Which arguments of a request are keys, and whether a user's key patterns allow them. Keys come from the
 * command table's key positions, and for the commands whose keys move (numkeys, STREAMS, STORE) from their
 * arguments; a command with movable keys not known here is refused to key-restricted users rather than let
 * through unchecked. Access is decided by the command's flags: a write command needs write access to its
 * keys ({@code %W~} or {@code ~}), any other command read access ({@code %R~} or {@code ~}); Redis 7's finer
 * per-key flags are not modelled. Scripts and functions (EVAL, FCALL, ...) are refused to key-restricted users:
 * they run on the backends with the proxy's own permissions and could reach any key.
 */
final class KeyAccess {
    private KeyAccess() {
    }

    static boolean allowed(AclUser user, CommandSpec spec, RespRequest r) {
        List<Integer> keys = keyIndexes(spec, r);
        if (keys == null) {
            return false;
        }
        boolean write = spec.hasFlag("write");
        for (int i : keys) {
            if (!matches(user, r.argBytes(i), write)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(AclUser user, byte[] key, boolean write) {
        for (AclUser.KeyPattern p : user.keys) {
            if ((write ? p.write() : p.read()) && Glob.matches(p.pattern(), key)) {
                return true;
            }
        }
        return false;
    }

    /** The indexes of the key arguments, or null when they cannot be known (refused then). */
    static List<Integer> keyIndexes(CommandSpec spec, RespRequest r) {
        return CommandKeys.indexes(spec, r);
    }
}
