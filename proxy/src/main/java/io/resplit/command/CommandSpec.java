package io.resplit.command;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * One row of the command table: a command or a subcommand ({@code client|setname}) as Redis describes it,
 * plus the proxy's {@link Handling}. Immutable.
 */
public final class CommandSpec {
    private final String name;
    private final byte[] lowerName;
    private final int arity;
    private final Set<String> flags;
    private final int firstKey;
    private final int lastKey;
    private final int keyStep;
    private final List<String> aclCategories;
    private final Handling handling;
    private final boolean queuedInMulti;
    private final boolean immediateInMulti;
    private final String note;
    private final NameIndex subcommands;
    private final byte[][] rawEntry; // [protocol - 2]: the master's own COMMAND entry, or null
    private final ShardPolicy shardPolicy;
    // per-command state another package keeps for this spec (the metrics cache), so the hot path finds it
    // without a map lookup; this package never looks inside
    private volatile Object attachment;

    CommandSpec(String name, int arity, Set<String> flags, int firstKey, int lastKey, int keyStep,
                List<String> aclCategories, Handling handling, String insideMulti, String note,
                NameIndex subcommands, byte[] raw2, byte[] raw3, ShardPolicy shardPolicy) {
        this.shardPolicy = shardPolicy;
        this.name = name;
        this.lowerName = name.getBytes(StandardCharsets.US_ASCII);
        this.arity = arity;
        this.flags = Set.copyOf(flags);
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.aclCategories = List.copyOf(aclCategories);
        this.handling = handling;
        this.queuedInMulti = "queue".equals(insideMulti);
        this.immediateInMulti = "immediate".equals(insideMulti);
        this.note = note;
        this.subcommands = subcommands;
        this.rawEntry = new byte[][] {raw2, raw3};
    }

    /**
     * This command's entry exactly as the master's {@code COMMAND} reply had it in RESP {@code protocol} (with
     * tips and key specs), or null when the table was not read from a master.
     */
    public byte[] masterEntry(int protocol) {
        return rawEntry[protocol >= 3 ? 1 : 0];
    }

    /** How a cluster runs it, from Redis's command tips: on one slot, split by slot, or on every shard. */
    public ShardPolicy shardPolicy() {
        return shardPolicy;
    }

    /** Lower-case name; subcommands as {@code parent|sub}, as Redis names them. */
    public String name() {
        return name;
    }

    byte[] lowerName() {
        return lowerName;
    }

    /** Redis arity: positive = exact argument count (name included), negative = at least that many. */
    public int arity() {
        return arity;
    }

    public boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    public Set<String> flags() {
        return flags;
    }

    public boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    public int firstKey() {
        return firstKey;
    }

    public int lastKey() {
        return lastKey;
    }

    public int keyStep() {
        return keyStep;
    }

    public List<String> aclCategories() {
        return aclCategories;
    }

    public Handling handling() {
        return handling;
    }

    /**
     * For a {@link Handling#LOCAL} command inside MULTI: queued on the master like any command (PING, ECHO)?
     * Otherwise it is refused (it changes per-connection state the proxy keeps), unless {@link #immediateInMulti}.
     */
    public boolean queuedInMulti() {
        return queuedInMulti;
    }

    /** For a {@link Handling#LOCAL} command: still run at once inside MULTI, as Redis does with QUIT. */
    public boolean immediateInMulti() {
        return immediateInMulti;
    }

    /**
     * Whether only some calls block: the command carries Redis's "blocking" flag, but the policy routes it
     * normally unless the request asks to block (XREAD ... BLOCK ms).
     */
    public boolean blocksOnlyWithOption() {
        return handling != Handling.BLOCKING && flags.contains("blocking");
    }

    /** What another package attached to this spec, or null (see {@link #attach}). */
    public Object attachment() {
        return attachment;
    }

    /** Attaches per-command state owned by another package (the metrics keep their meters here). */
    public void attach(Object value) {
        this.attachment = value;
    }

    /** Why the proxy handles it so (shown in docs and, for refused commands, in the error). */
    public String note() {
        return note;
    }

    /** Subcommands of a container command such as CLIENT or CONFIG; empty for plain commands. */
    public List<CommandSpec> subcommands() {
        return subcommands == null ? List.of() : subcommands.all();
    }

    NameIndex subcommandIndex() {
        return subcommands;
    }

    /** Redis's error text for a wrong argument count, without the leading "-". */
    public String wrongArityError() {
        return "ERR wrong number of arguments for '" + name + "' command";
    }

    @Override
    public String toString() {
        return name + "(" + handling + ")";
    }
}
