package io.resplit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** redis.conf-style configuration: every directive, Redis's memory units and quoting, errors, overrides. */
class ConfigParserTest {
    @TempDir
    Path dir;

    private static ProxyConfig parse(String text) {
        return ConfigParser.fromText("test.conf", text);
    }

    private static ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> parse(text));
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "'" + p + "' missing from:\n" + message);
        }
    }

    @Test
    void emptyTextGivesTheDefaults() {
        ProxyConfig c = parse("");
        ProxyConfig d = ProxyConfig.defaults();
        assertEquals("test.conf", c.source()); // fromText names its source like a file
        assertEquals(d.toString().replace("source=(defaults)", "source=test.conf"), c.toString());
        assertEquals(List.of("127.0.0.1", "-::1"), c.bind());
        assertEquals(6390, c.port());
        assertNull(c.requirepass());
        assertFalse(c.clientAuthRequired());
        assertEquals(new HostPort("127.0.0.1", 6379), c.master());
        assertEquals(List.of(), c.replicas());
        assertEquals(ReadFrom.REPLICAS, c.readFrom());
    }

    @Test
    void everyDirective() {
        ProxyConfig c = parse(String.join("\n",
                "# a comment",
                "",
                "bind 0.0.0.0 ::1",
                "port 7001",
                "requirepass \"s3cr et\"",
                "master 10.0.0.1 6380",
                "replica 10.0.0.2 6381",
                "replica 10.0.0.3 6382",
                "masterauth mpass",
                "masteruser muser",
                "read-from master",
                "backend-connections 4",
                "connect-timeout 1500",
                "health-check-interval 100",
                "health-check-timeout 2000",
                "timeout 300",
                "maxclients 5000",
                "proto-max-bulk-len 2mb",
                "client-query-buffer-limit 1gb",
                "io-threads 3",
                "databases 32",
                "slowlog-log-slower-than 2500",
                "slowlog-max-len 16",
                ""));
        assertEquals(List.of("0.0.0.0", "::1"), c.bind());
        assertEquals(7001, c.port());
        assertEquals("s3cr et", c.requirepass());
        assertTrue(c.clientAuthRequired());
        assertEquals(new HostPort("10.0.0.1", 6380), c.master());
        assertEquals(List.of(new HostPort("10.0.0.2", 6381), new HostPort("10.0.0.3", 6382)), c.replicas());
        assertEquals("mpass", c.masterauth());
        assertEquals("muser", c.masteruser());
        assertEquals(ReadFrom.MASTER, c.readFrom());
        assertEquals(4, c.backendConnections());
        assertEquals(1500, c.connectTimeoutMs());
        assertEquals(100, c.healthCheckIntervalMs());
        assertEquals(2000, c.healthCheckTimeoutMs());
        assertEquals(300, c.timeoutSeconds());
        assertEquals(5000, c.maxclients());
        assertEquals(2L * 1024 * 1024, c.protoMaxBulkLen());
        assertEquals(1024L * 1024 * 1024, c.clientQueryBufferLimit());
        assertEquals(3, c.ioThreads());
        assertEquals(3, c.effectiveIoThreads());
        assertEquals(32, c.databases());
        assertEquals(2500, c.slowlogLogSlowerThan());
        assertEquals(16, c.slowlogMaxLen());
    }

    @Test
    void theStartLogShowsWhatDiffersFromTheDefaultsWithoutPasswords() {
        assertEquals("all defaults", ConfigDescriber.changedFromDefaults(parse("")));
        String line = ConfigDescriber.changedFromDefaults(parse("port 7001\nrequirepass hunter2\nslowlog-max-len 16"));
        assertEquals("port 7001, requirepass (set), slowlog-max-len 16", line);
    }

    @Test
    void slowLogDefaultsAreRedisOnes() {
        ProxyConfig c = parse("");
        assertEquals(10_000, c.slowlogLogSlowerThan());
        assertEquals(128, c.slowlogMaxLen());
        assertEquals(-1, parse("slowlog-log-slower-than -1").slowlogLogSlowerThan());
    }

    @Test
    void directiveNamesAreCaseInsensitiveAndLinesAreTrimmed() {
        ProxyConfig c = parse("  PORT 7002  \r\n\tRead-From Replicas\r\n   # indented comment\r\n\r\n");
        assertEquals(7002, c.port());
        assertEquals(ReadFrom.REPLICAS, c.readFrom());
    }

    @Test
    void laterLinesOverrideEarlierOnesButReplicasAddUp() {
        ProxyConfig c = parse("port 1\nport 2\nreplica a 1\nreplica b 2\nreplica a 1\nmaster m 1\nmaster n 2\n");
        assertEquals(2, c.port());
        assertEquals(new HostPort("n", 2), c.master());
        assertEquals(List.of(new HostPort("a", 1), new HostPort("b", 2), new HostPort("a", 1)), c.replicas());
    }

    @Test
    void emptyMasterauthAndMasteruserMeanNone() {
        ProxyConfig c = parse("masterauth \"\"\nmasteruser ''\nrequirepass \"\"\n");
        assertNull(c.masterauth());
        assertNull(c.masteruser());
        assertEquals("", c.requirepass());
        assertFalse(c.clientAuthRequired());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "requirepass \"foo bar\"        | foo bar",
        "requirepass 'foo bar'          | foo bar",
        "requirepass \"a\\\"b\"         | a\"b",
        "requirepass 'it\\'s'           | it's",
        "requirepass 'a\\nb'            | a\\nb",
        "requirepass \"x\\\\y\"         | x\\y",
        "requirepass p#ss               | p#ss",
        "requirepass \"#notacomment\"   | #notacomment",
    })
    void quotedRequirepass(String line, String expected) {
        assertEquals(expected, parse(line).requirepass());
    }

    @Test
    void doubleQuotedEscapes() {
        assertEquals("a\nb\tc\rd", parse("requirepass \"a\\nb\\tc\\rd\"").requirepass());
    }

    /** sdssplitargs (which redis.conf lines go through) decodes \xHH, \a and \b inside double quotes. */
    @Test
    void hexEscapesInDoubleQuotes() {
        assertEquals("pAss", parse("requirepass \"p\\x41ss\"").requirepass());
        assertEquals("\u0007\b", parse("requirepass \"\\a\\b\"").requirepass());
    }

    /** sdssplitargs starts quoting anywhere in a word: {@code a"b c"} is the one argument {@code ab c}. */
    @Test
    void quoteInsideAWord() {
        assertEquals("ab c", parse("requirepass a\"b c\"").requirepass());
    }

    @ParameterizedTest
    @CsvSource({
        "100, 100",
        "5b, 5",
        "1k, 1000",
        "1kb, 1024",
        "1K, 1000",
        "1KB, 1024",
        "1m, 1000000",
        "1mb, 1048576",
        "1Mb, 1048576",
        "1g, 1000000000",
        "1gb, 1073741824",
        "3gb, 3221225472",
        "0, 0",
    })
    void memoryUnits(String text, long bytes) {
        assertEquals(bytes, DirectiveArgs.size(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "kb", "1tb", "1.5mb", "abc", "1 kb", "99999999999gb"})
    void badMemoryValues(String text) {
        assertThrows(IllegalArgumentException.class, () -> DirectiveArgs.size(text));
    }

    @Test
    void memoryUnitsInDirectives() {
        assertEquals(2_000_000L, parse("proto-max-bulk-len 2000k").protoMaxBulkLen());
        assertEquals(2_000_000L, parse("proto-max-bulk-len 2m").protoMaxBulkLen());
        assertEquals(1024L * 1024, parse("client-query-buffer-limit 1024kb").clientQueryBufferLimit());
        assertEquals(1024L * 1024 * 1024, parse("client-query-buffer-limit 1gb").clientQueryBufferLimit());
        assertEquals(512L * 1024 * 1024, parse("proto-max-bulk-len 536870912").protoMaxBulkLen());
    }

    @Test
    void unknownDirective() {
        ConfigException e = error("port 7000\n# comment\nfoo bar\nport 7001\n");
        assertContains(e.getMessage(), "test.conf", "at line 3", "foo bar",
                "Bad directive or wrong number of arguments", "FATAL CONFIG FILE ERROR");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "port abc",
        "port 70000",
        "port -1",
        "port",
        "port 1 2",
        "read-from sometimes",
        "master onlyhost",
        "master h p",
        "master h 0",
        "replica h",
        "replica h 1 2",
        "requirepass a b",
        "requirepass \"abc",
        "requirepass \"a\"b",
        "bind",
        "backend-connections 0",
        "backend-connections 65",
        "connect-timeout 0",
        "health-check-interval 1",
        "maxclients 0",
        "proto-max-bulk-len 1k",
        "proto-max-bulk-len 4gb",
        "client-query-buffer-limit 100",
        "io-threads -1",
        "databases 0",
        "timeout -1",
    })
    void badLines(String line) {
        ConfigException e = error("# first line\n" + line + "\n");
        assertContains(e.getMessage(), "test.conf", "at line 2", ">>> '" + line + "'");
    }

    @Test
    void errorReasons() {
        assertContains(error("port abc").getMessage(), "port abc", "argument must be a number");
        assertContains(error("read-from sometimes").getMessage(), "read-from sometimes", "replicas", "master");
        assertContains(error("master onlyhost").getMessage(), "master onlyhost",
                "Bad directive or wrong number of arguments");
        assertContains(error("requirepass \"abc").getMessage(), "Unbalanced quotes in configuration line");
    }

    @Test
    void healthCheckTimeoutMustNotBeShorterThanTheInterval() {
        ConfigException e = error("health-check-interval 2000\n");
        assertContains(e.getMessage(), "health-check-timeout", "health-check-interval");
        assertEquals(2000, parse("health-check-interval 2000\nhealth-check-timeout 2000").healthCheckTimeoutMs());
    }

    // ---------------------------------------------------------------- command line

    private Path file(String text) throws IOException {
        Path f = dir.resolve("resplit.conf");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void commandLineOverridesTheFileAndItsReplicaReplacesTheFilesReplicas() throws IOException {
        Path f = file("port 6000\nrequirepass secret\nreplica a 1\nreplica b 2\n");
        ProxyConfig c = ConfigParser.fromArgs(new String[] {f.toString(), "--port", "7000", "--replica", "h", "1"});
        assertEquals(7000, c.port());
        assertEquals("secret", c.requirepass());
        assertEquals(List.of(new HostPort("h", 1)), c.replicas());
        assertEquals(f.toString(), c.source());
    }

    @Test
    void clusterNodesAddUpAndCannotBeMixedWithMasterReplicaOrSentinelLines() throws IOException {
        ProxyConfig c = parse("cluster-node 10.0.0.1 7000\ncluster-node 10.0.0.2 7001\nmasterauth pw\n");
        assertTrue(c.ha().clusterMode());
        assertEquals(List.of(new HostPort("10.0.0.1", 7000), new HostPort("10.0.0.2", 7001)), c.ha().clusterNodes());
        assertFalse(ProxyConfig.defaults().ha().clusterMode());
        Path f = file("cluster-node a 1\ncluster-node b 2\n");
        assertEquals(List.of(new HostPort("h", 3)), ConfigParser.fromArgs(
                new String[] {f.toString(), "--cluster-node", "h", "3"}).ha().clusterNodes());
        for (String other : List.of("master 10.0.0.9 6379", "replica 10.0.0.9 6380",
                "sentinel-master m\nsentinel 10.0.0.9 26379")) {
            assertContains(error("cluster-node 10.0.0.1 7000\n" + other + "\n").getMessage(),
                    "'cluster-node' lines cannot be mixed with 'master', 'replica' or 'sentinel' lines");
        }
        assertContains(error("cluster-node 10.0.0.1\n").getMessage(), "cluster-node");
    }

    @Test
    void severalCommandLineReplicasAddUp() throws IOException {
        Path f = file("replica a 1\n");
        ProxyConfig c = ConfigParser.fromArgs(new String[] {f.toString(), "--replica", "h", "1", "--port", "7000",
            "--replica", "i", "2"});
        assertEquals(List.of(new HostPort("h", 1), new HostPort("i", 2)), c.replicas());
    }

    @Test
    void fileReplicasStayWithoutCommandLineReplicas() throws IOException {
        Path f = file("replica a 1\nreplica b 2\n");
        ProxyConfig c = ConfigParser.fromArgs(new String[] {f.toString(), "--READ-FROM", "master"});
        assertEquals(List.of(new HostPort("a", 1), new HostPort("b", 2)), c.replicas());
        assertEquals(ReadFrom.MASTER, c.readFrom());
    }

    @Test
    void commandLineWithoutAFile() {
        ProxyConfig c = ConfigParser.fromArgs(new String[] {"--port", "7000", "--bind", "0.0.0.0", "::"});
        assertEquals(7000, c.port());
        assertEquals(List.of("0.0.0.0", "::"), c.bind());
        assertEquals("(defaults)", c.source());
        assertEquals(ProxyConfig.defaults(), ConfigParser.fromArgs(new String[0]));
    }

    @Test
    void commandLineErrors() throws IOException {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigParser.fromArgs(new String[] {"--port", "abc"}));
        assertContains(e.getMessage(), "Reading the command line", "--port abc", "argument must be a number");
        e = assertThrows(ConfigException.class, () -> ConfigParser.fromArgs(new String[] {"--nope", "1"}));
        assertContains(e.getMessage(), "--nope 1", "Bad directive or wrong number of arguments");
        Path f = file("port 1\n");
        e = assertThrows(ConfigException.class, () -> ConfigParser.fromArgs(new String[] {f.toString(), "port", "2"}));
        assertContains(e.getMessage(), "expected --directive, got 'port'");
        e = assertThrows(ConfigException.class, () -> ConfigParser.fromArgs(new String[] {"--"}));
        assertContains(e.getMessage(), "Reading the command line");
    }

    @Test
    void fileErrorsNameTheFile() throws IOException {
        Path f = file("port 1\nbogus\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.fromArgs(new String[] {f.toString()}));
        assertContains(e.getMessage(), f.toString(), "at line 2", "bogus");
        Path missing = dir.resolve("missing.conf");
        e = assertThrows(ConfigException.class, () -> ConfigParser.fromArgs(new String[] {missing.toString()}));
        assertContains(e.getMessage(), "can't open config file", missing.toString());
    }

    @Test
    void withPortKeepsEverythingElse() {
        ProxyConfig c = parse("port 1\nreplica a 1\nrequirepass x");
        ProxyConfig moved = c.withPort(2);
        assertEquals(2, moved.port());
        assertEquals(c.replicas(), moved.replicas());
        assertEquals("x", moved.requirepass());
    }
}
