package io.resplit.config;

import java.util.ArrayList;
import java.util.List;

/** Splits a config line into words like Redis's sdssplitargs: spaces separate, quotes group, escapes in "". */
final class ConfigLineSplitter {
    private ConfigLineSplitter() {
    }

    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            StringBuilder cur = new StringBuilder();
            char quote = 0;
            char c0 = line.charAt(i);
            if (c0 == '"' || c0 == '\'') {
                quote = c0;
                i++;
            }
            while (true) {
                if (i >= n) {
                    if (quote != 0) {
                        throw new IllegalArgumentException("Unbalanced quotes in configuration line");
                    }
                    break;
                }
                char c = line.charAt(i);
                if (quote == 0) {
                    if (Character.isWhitespace(c)) {
                        break;
                    }
                    cur.append(c);
                } else if (c == '\\' && i + 1 < n && quote == '"') {
                    char e = line.charAt(++i);
                    cur.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
                } else if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                    cur.append('\'');
                    i++;
                } else if (c == quote) {
                    if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                        throw new IllegalArgumentException("Unbalanced quotes in configuration line");
                    }
                    i++;
                    break;
                } else {
                    cur.append(c);
                }
                i++;
            }
            words.add(cur.toString());
        }
        return words;
    }
}
