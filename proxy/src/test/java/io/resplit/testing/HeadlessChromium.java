package io.resplit.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, headless, for tests that look at a page as a browser renders it: the DOM after its
 * scripts ran ({@code --dump-dom}) or a screenshot. {@code --virtual-time-budget} lets the page's own fetches and
 * timers run before the result is taken, without a guessed sleep. Each run gets a profile directory of its own,
 * removed afterwards, and is killed if it has not finished within a minute.
 */
public final class HeadlessChromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");
    private static final long RUN_TIMEOUT_SECONDS = 60;
    /** Virtual milliseconds the page may run: one fetch and render of a small page, with time to spare. */
    private static final int VIRTUAL_TIME_BUDGET_MS = 5000;

    private final Path binary;

    private HeadlessChromium(Path binary) {
        this.binary = binary;
    }

    /**
     * The browser on the PATH. Missing: under {@code CI=true} the test fails (.ci/run installs it, so its absence is
     * a broken machine); elsewhere the test is reported as skipped, with how to install it. Never a silent pass.
     */
    public static HeadlessChromium find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : NAMES) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return new HeadlessChromium(p);
                }
            }
        }
        String why = "no chromium on the PATH (apt-get install chromium; .ci/run installs it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(why);
        }
        System.err.println("SKIPPED: " + why);
        Assumptions.abort(why);
        return null; // not reached
    }

    /** The page's DOM after its scripts ran, serialized as HTML. */
    public String dumpDom(String url) {
        return run(List.of("--dump-dom", url));
    }

    /** A PNG of the page's first {@code width} x {@code height} pixels, written to {@code png}. */
    public void screenshot(String url, Path png, int width, int height) {
        run(List.of("--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(), url));
        Assertions.assertTrue(Files.isRegularFile(png), "chromium wrote no screenshot to " + png);
    }

    private String run(List<String> args) {
        Path profile = null;
        try {
            profile = Files.createTempDirectory("resplit-chromium");
            Path out = profile.resolve("stdout");
            Path err = profile.resolve("stderr");
            List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                    "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                    "--user-data-dir=" + profile.resolve("profile"),
                    "--virtual-time-budget=" + VIRTUAL_TIME_BUDGET_MS));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("chromium did not finish in " + RUN_TIMEOUT_SECONDS + " s: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("chromium exited " + p.exitValue() + ": " + cmd + "\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
