package io.resplit.cluster;

import io.resplit.command.CommandKeys;
import io.resplit.command.CommandSpec;
import io.resplit.resp.RespRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hash slot a request's keys live in, and how a command Redis marks {@code multi_shard} splits into one
 * request per slot. Pure functions of the command table and the request.
 */
public final class ClusterKeys {
    /** The request has no keys: any node may serve it. */
    public static final int NO_KEYS = -1;
    /** Its keys are in different slots and it cannot be split: Redis's CROSSSLOT error. */
    public static final int CROSS_SLOT = -2;

    public static final String CROSSSLOT_ERROR = "CROSSSLOT Keys in request don't hash to the same slot";

    private ClusterKeys() {
    }

    /** The slot of all of {@code r}'s keys, {@link #NO_KEYS}, or {@link #CROSS_SLOT}. */
    public static int slot(CommandSpec spec, RespRequest r) {
        return slot(keyIndexes(spec, r), r);
    }

    /** The slot of {@code r}'s arguments at {@code keys}, {@link #NO_KEYS}, or {@link #CROSS_SLOT}. */
    public static int slot(List<Integer> keys, RespRequest r) {
        int slot = NO_KEYS;
        for (int i : keys) {
            int s = slotOf(r, i);
            if (slot == NO_KEYS) {
                slot = s;
            } else if (s != slot) {
                return CROSS_SLOT;
            }
        }
        return slot;
    }

    /**
     * The key arguments of {@code r}: from the command table, the keys a script declares (EVAL, FCALL and their
     * read-only forms), or the first key position when the keys cannot all be known (SORT ... BY).
     */
    public static List<Integer> keyIndexes(CommandSpec spec, RespRequest r) {
        if (spec == null) {
            return List.of();
        }
        List<Integer> keys = spec.hasFlag("movablekeys") && spec.aclCategories().contains("scripting")
                ? CommandKeys.scriptKeys(r) : CommandKeys.indexes(spec, r);
        if (keys != null) {
            return keys;
        }
        return spec.firstKey() > 0 && spec.firstKey() < r.argc() ? List.of(spec.firstKey()) : List.of();
    }

    static int slotOf(RespRequest r, int arg) {
        return HashSlot.of(r.argBytes(arg));
    }

    /**
     * One request per slot of a {@code multi_shard} command (MGET, MSET, DEL, EXISTS, ...): each with the same
     * command name and, in request order, the key-and-value groups ({@code key_step} arguments) of its slot.
     *
     * @param slot      the slot each part goes to
     * @param args      each part's arguments, the command name first
     * @param positions each part's key groups' places in the client's request (0 for its first key group), which
     *                  is where their values go back in a merged array reply
     */
    public record Split(int[] slot, List<List<byte[]>> args, int[][] positions, int groups) {
        public int parts() {
            return slot.length;
        }
    }

    /** {@code r} split by slot, or null when its keys are all in one slot (it goes as it is). */
    public static Split split(CommandSpec spec, RespRequest r) {
        int first = spec.firstKey();
        int step = Math.max(1, spec.keyStep());
        int last = spec.lastKey() < 0 ? r.argc() + spec.lastKey() : spec.lastKey();
        if (last < first || (last - first + 1) % step != 0) {
            return null; // a key without its value (MSET a 1 b): one node answers it, as a cluster node would
        }
        Map<Integer, List<Integer>> groupsBySlot = new LinkedHashMap<>();
        int group = 0;
        for (int i = first; i <= last && i < r.argc(); i += step, group++) {
            groupsBySlot.computeIfAbsent(slotOf(r, i), s -> new ArrayList<>()).add(group);
        }
        if (groupsBySlot.size() <= 1) {
            return null;
        }
        byte[] name = r.argBytes(0);
        int n = groupsBySlot.size();
        int[] slots = new int[n];
        int[][] positions = new int[n][];
        List<List<byte[]>> args = new ArrayList<>(n);
        int k = 0;
        for (Map.Entry<Integer, List<Integer>> e : groupsBySlot.entrySet()) {
            slots[k] = e.getKey();
            List<Integer> gs = e.getValue();
            positions[k] = gs.stream().mapToInt(Integer::intValue).toArray();
            List<byte[]> a = new ArrayList<>(1 + gs.size() * step);
            a.add(name);
            for (int g : gs) {
                for (int j = 0; j < step; j++) {
                    a.add(r.argBytes(first + g * step + j));
                }
            }
            args.add(a);
            k++;
        }
        return new Split(slots, args, positions, group);
    }
}
