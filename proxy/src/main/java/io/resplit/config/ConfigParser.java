package io.resplit.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.resplit.util.SdsSplitArgs;

/**
 * Reads a redis.conf-style file (one directive per line, {@code #} comments, arguments split like Redis does,
 * quotes allowed) and then {@code --directive value ...} command-line overrides, as redis-server does. A later
 * line overrides an earlier one; {@code replica}, {@code sentinel} and {@code cluster-node} lines add up, and a
 * {@code --replica} (or {@code --sentinel}, {@code --cluster-node}) on the command line replaces the file's list
 * rather than adding to it.
 */
public final class ConfigParser {
    private final ConfigBuilder builder = new ConfigBuilder();

    private ConfigParser() {
    }

    /** Parses {@code args} as the proxy's command line: an optional config file, then overrides. */
    public static ProxyConfig fromArgs(String[] args) {
        ConfigParser parser = new ConfigParser();
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("--")) {
            parser.readFile(Path.of(args[0]));
            i = 1;
        }
        parser.applyOverrides(args, i);
        return parser.builder.build();
    }

    /**
     * {@code base} with one directive set as a config line would set it (CONFIG SET on the admin console).
     *
     * @throws ConfigException with the reason when the value is not valid
     */
    public static ProxyConfig with(ProxyConfig base, String directive, List<String> args) {
        ConfigBuilder b = new ConfigBuilder(base);
        try {
            b.apply(directive.toLowerCase(Locale.ROOT), args);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return b.build();
    }

    /** Parses config text as if it were a file named {@code name} (tests, RELOAD). */
    public static ProxyConfig fromText(String name, String text) {
        ConfigParser parser = new ConfigParser();
        parser.builder.source = name;
        parser.readLines(name, text.split("\n", -1));
        return parser.builder.build();
    }

    private void readFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("Fatal error, can't open config file '" + file + "': " + e.getMessage());
        }
        builder.source = file.toString();
        readLines(file.toString(), text.split("\n", -1));
    }

    private void readLines(String name, String[] lines) {
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                List<byte[]> args = SdsSplitArgs.split(line.getBytes(StandardCharsets.UTF_8));
                if (args == null) {
                    throw new IllegalArgumentException("Unbalanced quotes in configuration line");
                }
                List<String> words = new ArrayList<>();
                args.forEach(a -> words.add(new String(a, StandardCharsets.UTF_8)));
                apply(words);
            } catch (IllegalArgumentException e) {
                throw fatal("Reading the configuration file " + name + ", at line " + (n + 1), line, e.getMessage());
            }
        }
    }

    private void applyOverrides(String[] args, int from) {
        boolean replicasFromCommandLine = false;
        boolean sentinelsFromCommandLine = false;
        boolean clusterNodesFromCommandLine = false;
        int i = from;
        while (i < args.length) {
            if (!args[i].startsWith("--") || args[i].length() == 2) {
                throw fatal("Reading the command line", String.join(" ", args),
                        "expected --directive, got '" + args[i] + "'");
            }
            List<String> words = new ArrayList<>();
            words.add(args[i].substring(2));
            i++;
            while (i < args.length && !args[i].startsWith("--")) {
                words.add(args[i++]);
            }
            if (words.get(0).equalsIgnoreCase("replica") && !replicasFromCommandLine) {
                builder.replicas.clear();
                replicasFromCommandLine = true;
            }
            if (words.get(0).equalsIgnoreCase("sentinel") && !sentinelsFromCommandLine) {
                builder.ha.sentinels.clear();
                sentinelsFromCommandLine = true;
            }
            if (words.get(0).equalsIgnoreCase("cluster-node") && !clusterNodesFromCommandLine) {
                builder.ha.clusterNodes.clear();
                clusterNodesFromCommandLine = true;
            }
            try {
                apply(words);
            } catch (IllegalArgumentException e) {
                throw fatal("Reading the command line", "--" + String.join(" ", words), e.getMessage());
            }
        }
    }

    private void apply(List<String> words) {
        String name = words.get(0).toLowerCase(Locale.ROOT);
        List<String> args = words.subList(1, words.size());
        builder.apply(name, args);
    }

    private static ConfigException fatal(String where, String line, String reason) {
        return new ConfigException("\n*** FATAL CONFIG FILE ERROR (resplit) ***\n" + where + "\n>>> '" + line + "'\n"
                + reason);
    }
}
