package io.resplit.admin;

import java.util.List;

/** SHUTDOWN: stops the proxy (client connections close; the Redis servers are not touched). */
final class ShutdownCommand implements AdminCommand {
    @Override
    public String name() {
        return "SHUTDOWN";
    }

    /** How long GRACEFUL waits for replies still in flight. */
    private static final long GRACE_MS = 10_000;

    @Override
    public String usage() {
        return "SHUTDOWN [GRACEFUL]";
    }

    @Override
    public String summary() {
        return "stop the proxy (GRACEFUL: stop accepting, let replies in flight arrive); Redis keeps running";
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        boolean graceful = args.size() == 1 && args.get(0).equalsIgnoreCase("GRACEFUL");
        if (!args.isEmpty() && !graceful) {
            return AdminReply.error("syntax error, try: " + usage());
        }
        Runnable stop = () -> {
            if (graceful) {
                ctx.proxy().stopAccepting();
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(GRACE_MS);
                while (ctx.proxy().requestsInFlight() > 0 && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }
            ctx.shutdown().run();
        };
        return new AdminReply(AdminReply.Kind.STATUS, "OK", stop); // stops once the OK is written
    }
}
