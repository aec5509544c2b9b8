package io.resplit.admin;

import io.resplit.backend.BackendNode;
import io.resplit.config.HostPort;
import io.resplit.topology.FailoverCoordinator;
import java.util.List;
import java.util.Locale;

/** FAILOVER [TO host port] [TIMEOUT ms] [FORCE]: a planned failover that clients do not see. */
final class FailoverCommand implements AdminCommand {
    private static final long DEFAULT_TIMEOUT_MS = 5000;

    @Override
    public String name() {
        return "FAILOVER";
    }

    @Override
    public String usage() {
        return "FAILOVER [TO host port] [TIMEOUT ms] [FORCE]";
    }

    @Override
    public String summary() {
        return "hold writes, wait for the target to catch up, promote it, repoint the rest, release the writes";
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        HostPort target = null;
        long timeout = DEFAULT_TIMEOUT_MS;
        boolean force = false;
        try {
            for (int i = 0; i < args.size(); i++) {
                switch (args.get(i).toUpperCase(Locale.ROOT)) {
                    case "TO" -> target = new HostPort(args.get(++i), Integer.parseInt(args.get(++i)));
                    case "TIMEOUT" -> timeout = Long.parseLong(args.get(++i));
                    case "FORCE" -> force = true;
                    default -> {
                        return AdminReply.error("syntax error, try: " + usage());
                    }
                }
            }
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            return AdminReply.error("syntax error, try: " + usage());
        }
        if (target == null) {
            target = mostCaughtUpReplica(ctx);
            if (target == null) {
                return AdminReply.error("no healthy replica to fail over to");
            }
        }
        FailoverCoordinator.Outcome outcome = ctx.failover().failover(target, timeout, force);
        if (!outcome.done()) {
            return AdminReply.error(outcome.message());
        }
        ctx.failovers().incrementAndGet();
        ctx.lastPauseMicros().set(outcome.writePauseMicros());
        String note = outcome.message().startsWith("OK ") ? outcome.message().substring(2) : ""; // " sentinels_agree=3/3"
        return AdminReply.text("OK master=" + target + " write_pause_us=" + outcome.writePauseMicros() + note);
    }

    private static HostPort mostCaughtUpReplica(AdminContext ctx) {
        BackendNode best = null;
        for (BackendNode n : ctx.proxy().topology().current().replicas()) {
            if (n.state().servesReads() && (best == null || n.state().offset() > best.state().offset())) {
                best = n;
            }
        }
        return best == null ? null : best.address();
    }
}
