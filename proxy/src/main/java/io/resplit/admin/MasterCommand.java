package io.resplit.admin;

import io.resplit.config.HostPort;
import io.resplit.topology.FailoverCoordinator;
import java.util.List;

/** MASTER SET host port: an operator promoted a node by hand; the proxy sends writes there from now on. */
final class MasterCommand implements AdminCommand {
    @Override
    public String name() {
        return "MASTER";
    }

    @Override
    public String usage() {
        return "MASTER SET host port";
    }

    @Override
    public String summary() {
        return "follow a promotion made outside the proxy (no REPLICAOF is sent)";
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        if (args.size() != 3 || !args.get(0).equalsIgnoreCase("SET")) {
            return AdminReply.error("syntax error, try: " + usage());
        }
        int port;
        try {
            port = Integer.parseInt(args.get(2));
        } catch (NumberFormatException e) {
            return AdminReply.error("port must be a number");
        }
        FailoverCoordinator.Outcome outcome = ctx.failover().masterSet(new HostPort(args.get(1), port));
        return outcome.done() ? AdminReply.ok() : AdminReply.error(outcome.message());
    }
}
