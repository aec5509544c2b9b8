package io.resplit.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void renderingIsDeterministicAndWellFormed() {
        String a = CommandsDoc.render(CommandTableLoader.builtIn());
        String b = CommandsDoc.render(CommandTableLoader.builtIn());
        assertEquals(a, b);
        assertTrue(a.startsWith(CommandsDoc.HEADER + "\n"), "first line is the generated-file comment");
        assertTrue(a.endsWith("\n") && !a.endsWith("\n\n"), "ends with exactly one newline");
        assertTrue(a.contains("\n| `client\\|setname` | local | "), "subcommand names escape '|'");
        assertTrue(a.contains("\n| `get` | replica | "), "read-only commands are shown as replica");
        assertTrue(a.contains("\n| `multi` | transaction (pinned) | "));
        assertTrue(a.contains("\n| `blpop` | blocking (dedicated) | "));
        assertTrue(a.contains("\n| `shutdown` | admin | "));
        assertTrue(a.contains("\n| `acl` | refused | "));
        assertTrue(a.contains("\n| `set` | master | "));
    }

    @Test
    void everyCommandAndSubcommandHasARow() {
        CommandTable table = CommandTableLoader.builtIn();
        String page = CommandsDoc.render(table);
        int at = page.indexOf("\n## All commands\n");
        assertTrue(at >= 0, "the generated section follows the preamble");
        int rows = 0;
        for (String line : page.substring(at).split("\n", -1)) {
            if (line.startsWith("| `")) {
                rows++;
            }
        }
        assertEquals(table.size(), rows);
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
