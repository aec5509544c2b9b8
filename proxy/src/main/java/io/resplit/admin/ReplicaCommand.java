package io.resplit.admin;

import io.resplit.config.HostPort;
import io.resplit.topology.FailoverCoordinator;
import java.util.List;
import java.util.Locale;

/** REPLICA ADD|REMOVE|DRAIN host port: change the replicas that serve reads, at runtime. */
final class ReplicaCommand implements AdminCommand {
    @Override
    public String name() {
        return "REPLICA";
    }

    @Override
    public String usage() {
        return "REPLICA ADD host port [weight] | REPLICA REMOVE|DRAIN host port";
    }

    @Override
    public String summary() {
        return "add a replica (weight: share of reads, default 1), stop its reads (DRAIN), or remove it";
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        int weight = 1;
        if (args.size() == 4 && args.get(0).equalsIgnoreCase("ADD")) {
            try {
                weight = Integer.parseInt(args.get(3));
            } catch (NumberFormatException e) {
                weight = 0;
            }
            if (weight < 1 || weight > 1000) {
                return AdminReply.error("weight must be a number from 1 to 1000");
            }
        } else if (args.size() != 3) {
            return AdminReply.error("syntax error, try: " + usage());
        }
        HostPort address;
        try {
            address = new HostPort(args.get(1), Integer.parseInt(args.get(2)));
        } catch (NumberFormatException e) {
            return AdminReply.error("port must be a number");
        }
        FailoverCoordinator.Outcome outcome = switch (args.get(0).toUpperCase(Locale.ROOT)) {
            case "ADD" -> ctx.failover().addReplica(address, weight);
            case "REMOVE" -> ctx.failover().removeReplica(address, true);
            case "DRAIN" -> ctx.failover().removeReplica(address, false);
            default -> null;
        };
        if (outcome == null) {
            return AdminReply.error("syntax error, try: " + usage());
        }
        return outcome.done() ? AdminReply.ok() : AdminReply.error(outcome.message());
    }
}
