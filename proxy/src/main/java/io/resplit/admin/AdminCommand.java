package io.resplit.admin;

import java.util.List;

/** One admin console command. */
interface AdminCommand {
    /** The command word, upper case (FAILOVER). */
    String name();

    /** Its syntax, for HELP. */
    String usage();

    /** What it does, one line, for HELP. */
    String summary();

    /**
     * Whether this call only reads (it then runs beside a failover on the read executor, and is not logged);
     * commands that change something say false.
     */
    default boolean readOnly(List<String> args) {
        return false;
    }

    /** Runs it; {@code args} are the words after the command name. May block (a failover waits). */
    AdminReply run(AdminContext ctx, List<String> args);
}
