package io.resplit.command;

import io.resplit.resp.RespRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Which arguments of a request are keys: from the command table's key positions, and for the commands whose
 * keys move (numkeys, STREAMS, STORE) from their arguments. Used where the proxy must know the keys themselves
 * (ACL key patterns, client-side caching), never for routing.
 */
public final class CommandKeys {
    private CommandKeys() {
    }

    /** The indexes of the key arguments, or null when they cannot be known (refused then). */
    public static List<Integer> indexes(CommandSpec spec, RespRequest r) {
        int argc = r.argc();
        List<Integer> out = new ArrayList<>();
        if (spec.hasFlag("movablekeys")) {
            return movable(spec.name(), r);
        }
        int first = spec.firstKey();
        if (first <= 0) {
            return out;
        }
        int last = spec.lastKey() < 0 ? argc + spec.lastKey() : spec.lastKey();
        int step = Math.max(1, spec.keyStep());
        for (int i = first; i <= last && i < argc; i += step) {
            out.add(i);
        }
        return out;
    }

    private static List<Integer> movable(String name, RespRequest r) {
        return switch (name) {
            case "zunion", "zinter", "zdiff", "sintercard", "zintercard", "lmpop", "zmpop" -> numkeys(r, 1, 2, null);
            case "zunionstore", "zinterstore", "zdiffstore" -> numkeys(r, 2, 3, 1);
            case "blmpop", "bzmpop" -> numkeys(r, 2, 3, null);
            case "xread" -> streams(r, 1);
            case "xreadgroup" -> streams(r, 4); // after GROUP group consumer, which may be named "streams"
            case "sort", "sort_ro" -> sort(r);
            case "georadius", "georadiusbymember" -> withStore(r);
            default -> null; // eval, fcall and anything unknown: see the class comment
        };
    }

    /** numkeys at {@code at}, the keys right after it, and {@code extra} (a destination) if not null. */
    private static List<Integer> numkeys(RespRequest r, int at, int firstKey, Integer extra) {
        Long n = at < r.argc() ? r.argLong(at) : null;
        if (n == null || n < 0 || firstKey + n > r.argc()) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        if (extra != null) {
            out.add(extra);
        }
        for (int i = 0; i < n; i++) {
            out.add(firstKey + i);
        }
        return out;
    }

    /** XREAD(GROUP) ... STREAMS k1 k2 id1 id2: the first half after STREAMS. */
    private static List<Integer> streams(RespRequest r, int from) {
        for (int i = from; i < r.argc(); i++) {
            if (r.argIs(i, "streams")) {
                int rest = r.argc() - i - 1;
                if (rest <= 0 || rest % 2 != 0) {
                    return null;
                }
                List<Integer> out = new ArrayList<>();
                for (int k = 0; k < rest / 2; k++) {
                    out.add(i + 1 + k);
                }
                return out;
            }
        }
        return null;
    }

    /** SORT key [... STORE dest]; BY and GET patterns reach other keys: refused unless all keys are allowed. */
    private static List<Integer> sort(RespRequest r) {
        List<Integer> out = new ArrayList<>(List.of(1));
        for (int i = 2; i < r.argc(); i++) {
            if (r.argIs(i, "by") || r.argIs(i, "get")) {
                return null;
            }
            if (r.argIs(i, "store") && i + 1 < r.argc()) {
                out.add(++i);
            }
        }
        return out;
    }

    private static List<Integer> withStore(RespRequest r) {
        List<Integer> out = new ArrayList<>(List.of(1));
        for (int i = 2; i < r.argc() - 1; i++) {
            if (r.argIs(i, "store") || r.argIs(i, "storedist")) {
                out.add(i + 1);
            }
        }
        return out;
    }

    /** EVAL/EVALSHA/FCALL and their _RO forms: the keys declared after numkeys; null when numkeys is bad. */
    public static List<Integer> scriptKeys(RespRequest r) {
        return numkeys(r, 2, 3, null);
    }
}
