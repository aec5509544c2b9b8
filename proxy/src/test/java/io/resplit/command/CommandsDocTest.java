package io.resplit.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/commands.md is generated from the command table; this fails when the checked-in page is stale. */
class CommandsDocTest {
    /** Surefire runs with the module directory as working directory. */
    private static final Path DOC = Path.of("../docs/commands.md");
    private static final String HOW = "docs/commands.md does not match the command table. Regenerate it from the "
            + "repository root: mvn -q -pl proxy compile && " + CommandsDoc.REGENERATE;

    @Test
    void checkedInPageMatchesTheTable() throws IOException {
        String expected = CommandsDoc.render(CommandTableLoader.builtIn());
        if (!Files.exists(DOC)) {
            fail(DOC.toAbsolutePath().normalize() + " is missing. " + HOW);
        }
        String actual = Files.readString(DOC, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            fail(HOW + "\n" + firstDifference(expected, actual));
        }
    }

    /**
     * Every command and subcommand of the table has exactly one row, in name order, and the row reads back as the
     * spec: its name (with {@code |} escaped), the route of its handling, its flags sorted and its note; the
     * counts in the sentence above the table are those of the rows.
     */
    @Test
    void everySpecHasOneRowThatReadsBackAsTheSpec() {
        CommandTable table = CommandTableLoader.builtIn();
        String page = CommandsDoc.render(table);
        assertTrue(page.startsWith(CommandsDoc.HEADER + "\n"), "first line is the generated-file comment");
        assertTrue(page.endsWith(" |\n"), "ends with the last row and exactly one newline");
        int at = page.indexOf("\n## All commands\n");
        assertTrue(at >= 0, "the generated section follows the preamble");
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : page.substring(at).split("\n")) {
            if (line.startsWith("| `")) {
                List<String> cells = new ArrayList<>();
                for (String cell : line.substring(1, line.length() - 1).split("(?<!\\\\)\\|", -1)) {
                    cells.add(cell.strip().replace("\\|", "|"));
                }
                assertEquals(4, cells.size(), "a row has 4 cells: " + line);
                String name = cells.get(0).replaceAll("^`|`$", "");
                assertNull(rows.put(name, cells), "one row per command: " + name);
            }
        }
        List<String> names = new ArrayList<>(rows.keySet());
        assertEquals(names.stream().sorted().toList(), names, "rows are sorted by name");
        Map<String, Integer> perRoute = new TreeMap<>();
        for (CommandSpec top : table.commands()) {
            List<CommandSpec> specs = new ArrayList<>(List.of(top));
            specs.addAll(top.subcommands());
            for (CommandSpec spec : specs) {
                List<String> row = rows.remove(spec.name());
                assertNotNull(row, spec.name() + " has a row");
                assertEquals(route(spec.handling()), row.get(1), spec.name());
                assertEquals(String.join(", ", new TreeSet<>(spec.flags())), row.get(2), spec.name());
                assertEquals(spec.note().replaceAll("\\s+", " ").strip(), row.get(3), spec.name());
                perRoute.merge(row.get(1), 1, Integer::sum);
            }
        }
        assertEquals(Map.of(), rows, "rows of no command in the table");
        Matcher summary = Pattern.compile(": (\\d+) commands and subcommands \\(((?:[^()]|\\([^()]*\\))*)\\)")
                .matcher(page);
        assertTrue(summary.find(), "the sentence above the table counts the rows");
        assertEquals(table.size(), Integer.parseInt(summary.group(1)));
        Map<String, Integer> stated = new TreeMap<>();
        for (String part : summary.group(2).split(", ")) {
            int space = part.indexOf(' ');
            stated.put(part.substring(space + 1), Integer.parseInt(part.substring(0, space)));
        }
        assertEquals(perRoute, stated, "the counts per route in the sentence above the table");
    }

    /** The route column's text for each handling, as the page's preamble names them. */
    private static String route(Handling handling) {
        return switch (handling) { // no default: a new handling must be given its text here
            case LOCAL -> "local";
            case READ -> "replica";
            case MASTER -> "master";
            case TRANSACTION -> "transaction (pinned)";
            case PUBSUB -> "pubsub";
            case BLOCKING -> "blocking (dedicated)";
            case ADMIN -> "admin";
            case REFUSED -> "refused";
        };
    }

    /** Where two texts first differ, by line, for the failure message. */
    private static String firstDifference(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : "<end of file>";
            String al = i < a.length ? a[i] : "<end of file>";
            if (!el.equals(al)) {
                return "first difference at line " + (i + 1) + ":\n  expected: " + el + "\n  in file:  " + al;
            }
        }
        return "the texts differ only in line ends";
    }
}
