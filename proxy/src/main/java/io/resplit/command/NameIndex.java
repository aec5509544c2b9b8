package io.resplit.command;

import io.netty.buffer.ByteBuf;
import io.resplit.resp.Ascii;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Case-insensitive lookup of specs by the raw bytes of a request argument, with no String or copy made: an
 * open-addressing table keyed by a hash of the lower-cased bytes.
 */
final class NameIndex {
    private final CommandSpec[] slots;
    private final int mask;
    private final List<CommandSpec> all;

    /** @param keyOf the part of each spec's name to index (the subcommand part for subcommands) */
    NameIndex(List<CommandSpec> specs, java.util.function.Function<CommandSpec, byte[]> keyOf) {
        int size = Integer.highestOneBit(Math.max(4, specs.size() * 3)) << 1;
        this.slots = new CommandSpec[size];
        this.keys = new byte[size][];
        this.mask = size - 1;
        for (CommandSpec spec : specs) {
            byte[] key = keyOf.apply(spec);
            int i = hash(key) & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = spec;
            keys[i] = key;
        }
        List<CommandSpec> sorted = new ArrayList<>(specs);
        sorted.sort(Comparator.comparing(CommandSpec::name));
        this.all = Collections.unmodifiableList(sorted);
    }

    private final byte[][] keys;

    CommandSpec find(ByteBuf buf, int off, int len) {
        if (len == 0 || len > Ascii.SCRATCH_SIZE) {
            return null; // no command name is that long
        }
        byte[] name = Ascii.copyLower(buf, off, len);
        int h = 0;
        for (int k = 0; k < len; k++) {
            h = 31 * h + name[k];
        }
        int i = mix(h) & mask;
        while (slots[i] != null) {
            if (matches(keys[i], name, len)) {
                return slots[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    List<CommandSpec> all() {
        return all;
    }

    private static boolean matches(byte[] key, byte[] lowerName, int len) {
        return key.length == len && java.util.Arrays.equals(key, 0, len, lowerName, 0, len);
    }

    private static int hash(byte[] lowerKey) {
        int h = 0;
        for (byte b : lowerKey) {
            h = 31 * h + b;
        }
        return mix(h);
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }
}
