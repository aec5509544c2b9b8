package io.resplit.admin;

import io.resplit.config.ConfigDescriber;
import io.resplit.config.ConfigException;
import io.resplit.config.ConfigParser;
import io.resplit.config.ProxyConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** CONFIG GET pattern / CONFIG SET directive value...: the proxy's own settings, not a Redis server's. */
final class ConfigCommand implements AdminCommand {
    @Override
    public String name() {
        return "CONFIG";
    }

    @Override
    public String usage() {
        return "CONFIG GET pattern | CONFIG SET directive value...";
    }

    @Override
    public String summary() {
        return "read settings; change " + String.join(", ", ConfigDescriber.RUNTIME.stream().sorted().toList());
    }

    @Override
    public boolean readOnly(List<String> args) {
        return !args.isEmpty() && args.get(0).equalsIgnoreCase("GET");
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        if (args.size() == 2 && args.get(0).equalsIgnoreCase("GET")) {
            String regex = globToRegex(args.get(1).toLowerCase(Locale.ROOT));
            StringBuilder out = new StringBuilder();
            for (Map.Entry<String, String> e : ConfigDescriber.describe(ctx.proxy().runtime().config()).entrySet()) {
                if (e.getKey().matches(regex)) {
                    out.append(e.getKey()).append(' ').append(e.getValue()).append("\r\n");
                }
            }
            return AdminReply.text(out.toString());
        }
        if (args.size() >= 3 && args.get(0).equalsIgnoreCase("SET")) {
            String directive = args.get(1).toLowerCase(Locale.ROOT);
            if (!ConfigDescriber.RUNTIME.contains(directive)) {
                return AdminReply.error("'" + directive + "' cannot change while the proxy runs: edit the config "
                        + "file and restart (runtime: "
                        + String.join(", ", ConfigDescriber.RUNTIME.stream().sorted().toList()) + ")");
            }
            try {
                ProxyConfig next = ConfigParser.with(ctx.proxy().runtime().config(), directive,
                        args.subList(2, args.size()));
                ctx.proxy().reconfigure(next);
                return AdminReply.ok();
            } catch (ConfigException e) {
                return AdminReply.error("invalid " + directive + ": " + e.getMessage());
            }
        }
        return AdminReply.error("syntax error, try: " + usage());
    }

    private static String globToRegex(String glob) {
        StringBuilder r = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> r.append(".*");
                case '?' -> r.append('.');
                default -> r.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return r.toString();
    }
}
