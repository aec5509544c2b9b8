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

    /** Runs it; {@code args} are the words after the command name. May block (a failover waits). */
    AdminReply run(AdminContext ctx, List<String> args);
}
