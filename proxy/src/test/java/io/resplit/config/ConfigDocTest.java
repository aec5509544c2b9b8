package io.resplit.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md describes every directive the parser knows: in the summary table with its default, and
 * in a section of its own; runtime directives are marked so.
 */
class ConfigDocTest {
    @Test
    void everyDirectiveHasARowAndASection() throws Exception {
        String doc = Files.readString(Path.of("../docs/configuration.md"));
        for (String name : ConfigDescriber.describe(ProxyConfig.defaults()).keySet()) {
            assertTrue(doc.contains("| `" + name + "` |"), name + " has no row in the summary table");
            boolean section = Pattern.compile("(?m)^### (.*[ ,])?" + Pattern.quote(name) + "([ ,].*)?$").matcher(doc).find();
            assertTrue(section, name + " has no section of its own");
            if (ConfigDescriber.RUNTIME.contains(name)) {
                assertTrue(Pattern.compile("(?m)^### .*" + Pattern.quote(name) + ".*\\(runtime\\)").matcher(doc).find(),
                        name + " changes at runtime, and its section should say so");
            }
        }
    }
}
