package io.resplit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * The metric names a PromQL expression selects, and the expressions of a Grafana dashboard. Names are taken as
 * written, suffix included ({@code _bucket}, {@code _count}, {@code _sum}, {@code _total}): PromQL selects
 * series by their exposed name, so that is what a scrape must contain. Not a full PromQL parser: it removes
 * what can hold words that are not metrics (strings, label matchers, ranges, grouping labels, Grafana
 * variables) and keeps the identifiers that are not functions or keywords.
 */
public final class PromQlNames {
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "and", "or", "unless", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    // Grafana's templating: label_values(metric, label) names a metric and a label, only the first is a metric
    private static final Pattern LABEL_VALUES = Pattern.compile("\\blabel_values\\s*\\(([^,)]*)(?:,[^)]*)?\\)");
    // a number (1e6, 0.99, 5m) is one token, so that its letters are never read as a name
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*|[0-9][0-9A-Za-z_.]*");

    private PromQlNames() {
    }

    /** The metric names {@code expr} selects. */
    public static Set<String> of(String expr) {
        String s = LABEL_VALUES.matcher(expr).replaceAll(m -> " " + Matcher.quoteReplacement(m.group(1)) + " ");
        s = STRING.matcher(s).replaceAll(" ");
        s = GRAFANA_VARIABLE.matcher(s).replaceAll(" ");
        s = s.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) {
            String word = m.group();
            if (Character.isDigit(word.charAt(0)) || KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            if (next < s.length() && s.charAt(next) == '(') {
                continue; // a function or an aggregation
            }
            names.add(word);
        }
        return names;
    }

    /** Every PromQL expression in a Grafana dashboard: panel targets' {@code expr} and templating queries. */
    public static List<String> dashboardQueries(Path dashboard) throws IOException {
        List<String> out = new ArrayList<>();
        collect(new Yaml().load(Files.readString(dashboard)), null, out); // JSON is YAML
        return out;
    }

    private static void collect(Object node, String key, List<String> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collect(v, String.valueOf(k), out));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collect(v, key, out));
        } else if (node instanceof String s && ("expr".equals(key) || "query".equals(key)) && !s.isBlank()) {
            out.add(s);
        }
    }

    /** The sample names of a Prometheus text exposition (what PromQL selects by), suffixes included. */
    public static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
