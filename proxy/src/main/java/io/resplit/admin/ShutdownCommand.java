package io.resplit.admin;

import java.util.List;

/** SHUTDOWN: stops the proxy (client connections close; the Redis servers are not touched). */
final class ShutdownCommand implements AdminCommand {
    @Override
    public String name() {
        return "SHUTDOWN";
    }

    @Override
    public String usage() {
        return "SHUTDOWN";
    }

    @Override
    public String summary() {
        return "stop the proxy; the Redis servers keep running";
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        Thread stopper = new Thread(ctx.shutdown(), "resplit-admin-shutdown");
        stopper.start(); // after this reply is sent
        return AdminReply.ok();
    }
}
