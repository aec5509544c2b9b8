package io.resplit.admin;

import io.resplit.slowlog.SlowLog;
import io.resplit.slowlog.SlowLogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SLOWLOG GET [count] | LEN | RESET: the proxy's slow-command log, in the shape of Redis's SLOWLOG GET (id,
 * unix time, microseconds, arguments, client address, client name), with two more fields: the route and the
 * node that answered.
 */
final class SlowlogCommand implements AdminCommand {
    private static final int DEFAULT_COUNT = 10; // as Redis's SLOWLOG GET

    @Override
    public String name() {
        return "SLOWLOG";
    }

    @Override
    public String usage() {
        return "SLOWLOG GET [count] | LEN | RESET";
    }

    @Override
    public String summary() {
        return "requests slower than slowlog-log-slower-than, newest first";
    }

    @Override
    public boolean readOnly(List<String> args) {
        return args.isEmpty() || !args.get(0).equalsIgnoreCase("RESET");
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        SlowLog log = ctx.proxy().slowLog();
        String sub = args.isEmpty() ? "" : args.get(0).toUpperCase(Locale.ROOT);
        switch (sub) {
            case "GET" -> {
                if (args.size() > 2) {
                    return syntax();
                }
                int count = DEFAULT_COUNT;
                if (args.size() == 2) {
                    long asked;
                    try {
                        asked = Long.parseLong(args.get(1));
                    } catch (NumberFormatException e) {
                        return AdminReply.error("value is not an integer or out of range");
                    }
                    if (asked < -1) {
                        return AdminReply.error("count should be greater than or equal to -1");
                    }
                    count = (int) Math.min(asked, Integer.MAX_VALUE); // any count up to all of them, as Redis
                }
                List<Object> out = new ArrayList<>();
                for (SlowLogEntry e : log.latest(count)) {
                    out.add(List.of(e.id(), e.unixSeconds(), e.micros(), e.args(), e.clientAddr(), e.clientName(),
                            e.route(), e.node()));
                }
                return AdminReply.array(out);
            }
            case "LEN" -> {
                return args.size() == 1 ? AdminReply.integer(log.length()) : syntax();
            }
            case "RESET" -> {
                if (args.size() != 1) {
                    return syntax();
                }
                log.reset();
                return AdminReply.ok();
            }
            default -> {
                return syntax();
            }
        }
    }

    private AdminReply syntax() {
        return AdminReply.error("syntax: " + usage());
    }
}
