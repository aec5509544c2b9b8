package io.resplit.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.resplit.config.ReadFrom;
import io.resplit.resp.RespRequest;
import io.resplit.route.Route;
import io.resplit.route.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The built-in command table, the proxy's handling policy, and the routes derived from them. */
class CommandTableTest {
    private static CommandTable table;

    @BeforeAll
    static void load() {
        table = CommandTableLoader.builtIn();
    }

    /** Resolves a request built from {@code words}, releasing it afterwards. */
    private static CommandSpec resolve(CommandTable t, String... words) {
        RespRequest r = RespRequest.of(UnpooledByteBufAllocator.DEFAULT, words);
        try {
            return t.resolve(r);
        } finally {
            r.release();
            assertEquals(0, r.bytes().refCnt());
        }
    }

    private static CommandSpec resolve(String... words) {
        return resolve(table, words);
    }

    private static Handling handling(String... words) {
        CommandSpec spec = resolve(words);
        assertNotNull(spec, () -> String.join(" ", words) + " must be known");
        return spec.handling();
    }

    @Test
    void sourceNamesTheRedisVersion() {
        assertTrue(table.source().startsWith("built-in (redis 7."), table.source());
        assertTrue(table.size() > 300, "commands plus subcommands: " + table.size());
        assertTrue(table.commands().size() < table.size());
    }

    @ParameterizedTest
    @CsvSource({
        "GET, READ",
        "gEt, READ",
        "get, READ",
        "SET, MASTER",
        "sEt, MASTER",
        "SORT, MASTER",
        "BITFIELD, MASTER",
        "GEORADIUS, MASTER",
        "GEORADIUSBYMEMBER, MASTER",
        "SORT_RO, READ",
        "BITFIELD_RO, READ",
        "GEORADIUS_RO, READ",
        "GEORADIUSBYMEMBER_RO, READ",
        "BLPOP, BLOCKING",
        "BRPOP, BLOCKING",
        "BLMOVE, BLOCKING",
        "EVAL, MASTER",
        "EVALSHA, MASTER",
        "FCALL, MASTER",
        "EVAL_RO, READ",
        "EVALSHA_RO, READ",
        "FCALL_RO, READ",
        "MULTI, TRANSACTION",
        "WATCH, TRANSACTION",
        "SUBSCRIBE, PUBSUB",
        "SCAN, MASTER",
        "HSCAN, MASTER",
        "AUTH, LOCAL",
        "PING, LOCAL",
        "SELECT, LOCAL",
        "HELLO, LOCAL",
        "PUBLISH, MASTER",
        "INCR, MASTER",
        "MGET, READ",
        "DEL, MASTER",
    })
    void topLevelHandling(String name, Handling expected) {
        assertEquals(expected, handling(name, "arg1", "arg2"));
    }

    @Test
    void unknownCommandHasNoSpecAndGoesToTheMaster() {
        assertNull(resolve("FOOBAR", "x"));
        assertNull(resolve("GETT"));
        assertNull(resolve("GE"));
        assertNull(resolve(""));
        assertEquals(Route.MASTER, new Router(ReadFrom.REPLICAS).route(null));
        assertEquals(Route.MASTER, new Router(ReadFrom.MASTER).route(null));
    }

    @Test
    void subcommands() {
        CommandSpec setname = resolve("CLIENT", "SETNAME", "x");
        assertEquals("client|setname", setname.name());
        assertEquals(Handling.LOCAL, setname.handling());
        assertSame(setname, resolve("cLiEnT", "sEtNaMe", "x"));
        assertEquals(Handling.LOCAL, handling("CONFIG", "GET", "x")); // the master's, filtered by the proxy
        assertEquals("config|get", resolve("config", "get", "maxmemory").name());
        assertEquals(Handling.LOCAL, handling("CLIENT", "GETNAME"));
        assertEquals(Handling.LOCAL, handling("CLIENT", "ID"));
        assertEquals(Handling.LOCAL, handling("COMMAND", "COUNT"));
        assertEquals(Handling.ADMIN, handling("ACL", "SETUSER", "bob"));
        assertEquals(Handling.LOCAL, handling("ACL", "LIST")); // the proxy's own users
        assertEquals(Handling.REFUSED, handling("ACL", "GETUSER", "bob")); // the backends' are the operator's
    }

    @Test
    void clientSetinfoIsAddedByTheProxyPolicy() {
        CommandSpec spec = resolve("CLIENT", "SETINFO", "lib-name", "x");
        assertNotNull(spec);
        assertEquals("client|setinfo", spec.name());
        assertEquals(Handling.LOCAL, spec.handling());
        assertEquals(4, spec.arity());
        assertTrue(spec.arityAccepts(4));
        assertFalse(spec.arityAccepts(3));
        assertSame(spec, table.find("client|setinfo"));
    }

    @Test
    void unknownSubcommandFallsBackToTheContainer() {
        CommandSpec client = resolve("CLIENT", "NO-SUCH-THING");
        assertEquals("client", client.name());
        assertEquals(Handling.REFUSED, client.handling());
        CommandSpec config = resolve("CONFIG", "FROB", "a", "b");
        assertEquals("config", config.name());
        assertEquals(Handling.ADMIN, config.handling());
        assertEquals("client", resolve("CLIENT").name(), "no subcommand given: the container");
    }

    /**
     * CLIENT subcommands about the client's own connection are answered by the proxy; the others, and CONFIG
     * subcommands other than GET, must never reach a shared backend connection: they are refused (CLIENT) or
     * admin-only (CONFIG), never MASTER by the flag-based default.
     */
    @Test
    void clientListIsLocalAndConfigSetIsAdmin() {
        assertEquals(Handling.LOCAL, handling("CLIENT", "LIST"));
        assertEquals(Handling.ADMIN, handling("CONFIG", "SET", "a", "b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"client|help"})
    void unlistedClientSubcommandsAreRefused(String name) {
        CommandSpec spec = table.find(name);
        assertNotNull(spec, name);
        assertEquals(Handling.REFUSED, spec.handling(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"client|kill", "client|reply", "client|no-evict", "client|info", "client|list",
        "client|tracking", "client|caching", "client|getredir", "client|trackinginfo", "client|unblock",
        "client|pause", "client|unpause"})
    void connectionScopedClientSubcommandsAreLocal(String name) {
        assertEquals(Handling.LOCAL, table.find(name).handling(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"config|set", "config|rewrite", "config|resetstat", "debug", "shutdown", "replicaof",
        "module|load", "save", "bgsave", "bgrewriteaof", "acl|setuser"})
    void serverChangingCommandsAreAdmin(String name) {
        assertEquals(Handling.ADMIN, table.find(name).handling(), name);
        assertEquals(Route.REFUSED, new Router(ReadFrom.REPLICAS).route(table.find(name)), name);
        assertEquals(Route.MASTER, new Router(ReadFrom.REPLICAS, Set.of(name)).route(table.find(name)), name);
        assertEquals(Route.MASTER, new Router(ReadFrom.REPLICAS, Set.of("*")).route(table.find(name)), name);
    }

    @Test
    void findByName() {
        CommandSpec get = table.find("config|get");
        assertNotNull(get);
        assertEquals("config|get", get.name());
        assertEquals(Handling.LOCAL, get.handling()); // answered from the master's, without credentials
        assertSame(get, table.find("CONFIG|GET"));
        assertEquals("get", table.find("GET").name());
        assertNull(table.find("config|nope"));
        assertNull(table.find("get|x"), "get has no subcommands");
        assertNull(table.find("nope|get"));
        assertNull(table.find("foobar"));
    }

    @Test
    void specAttributes() {
        CommandSpec get = table.find("get");
        assertEquals(2, get.arity());
        assertTrue(get.arityAccepts(2));
        assertFalse(get.arityAccepts(3));
        assertTrue(get.hasFlag("readonly"));
        assertEquals(1, get.firstKey());
        assertEquals(1, get.lastKey());
        assertEquals(1, get.keyStep());
        assertTrue(get.aclCategories().contains("read"));
        assertEquals("ERR wrong number of arguments for 'get' command", get.wrongArityError());
        CommandSpec set = table.find("set");
        assertEquals(-3, set.arity());
        assertTrue(set.arityAccepts(3));
        assertTrue(set.arityAccepts(7));
        assertFalse(set.arityAccepts(2));
        assertTrue(table.find("client").subcommands().stream().anyMatch(s -> s.name().equals("client|setname")));
        assertEquals(List.of(), get.subcommands());
    }

    private static List<CommandSpec> allSpecs(CommandTable t) {
        List<CommandSpec> all = new ArrayList<>();
        for (CommandSpec spec : t.commands()) {
            all.add(spec);
            all.addAll(spec.subcommands());
        }
        return all;
    }

    @Test
    void noWriteCommandIsEverRead() {
        List<CommandSpec> all = allSpecs(table);
        assertEquals(table.size(), all.size());
        for (CommandSpec spec : all) {
            if (spec.hasFlag("write")) {
                assertTrue(spec.handling() != Handling.READ, spec + " is flagged write");
            }
            if (spec.handling() == Handling.READ) {
                assertTrue(spec.hasFlag("readonly"), spec + " is READ without the readonly flag");
            }
        }
    }

    @Test
    void everySpecIsReachableByName() {
        for (CommandSpec spec : allSpecs(table)) {
            assertSame(spec, table.find(spec.name()), spec.name());
            assertSame(spec, table.find(spec.name().toUpperCase(java.util.Locale.ROOT)), spec.name());
            assertNotNull(spec.note(), spec.name());
        }
    }

    /**
     * A refused command's note is the whole error its client gets ({@code -ERR <note>}); an admin command's is
     * the reason inside its refusal. So each refused or admin spec (subcommands that take their container's row
     * included) has a reason of its own from the policy, not a routing default; it is one line, so it reaches the
     * client unchanged rather than with its line breaks blanked; and a refusal says the proxy refused it, so the
     * client can tell it from an error of Redis's.
     */
    @Test
    void refusedSpecsCarryTheirNote() {
        Set<String> routingDefaults = Set.of("read-only: served by a replica", "write: the master",
                "not flagged read-only: the master", "may block: runs on a dedicated master connection");
        int refused = 0;
        for (CommandSpec spec : allSpecs(table)) {
            if (spec.handling() != Handling.REFUSED && spec.handling() != Handling.ADMIN) {
                continue;
            }
            String note = spec.note();
            assertFalse(note == null || note.isBlank() || routingDefaults.contains(note), spec.name() + ": " + note);
            io.netty.buffer.ByteBuf reply = io.resplit.resp.RespWriter.error(UnpooledByteBufAllocator.DEFAULT,
                    "ERR " + note);
            try {
                assertEquals("-ERR " + note + "\r\n", reply.toString(java.nio.charset.StandardCharsets.UTF_8),
                        spec.name() + "'s note must be one line");
            } finally {
                reply.release();
            }
            if (spec.handling() == Handling.REFUSED) {
                refused++;
                assertTrue(note.contains("resplit") || note.contains("proxy"), spec.name() + ": " + note);
            }
        }
        assertTrue(refused >= 5, "SYNC, PSYNC, REPLCONF, ACL and unlisted CLIENT subcommands are refused: " + refused);
    }

    @Test
    void xreadBlocksOnlyWithABlockOptionBeforeStreams() {
        Router router = new Router(ReadFrom.REPLICAS);
        String[][] cases = {
            {"BLOCKING", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"},
            {"BLOCKING", "xread", "count", "1", "block", "100", "streams", "s", "0"},
            {"REPLICA", "XREAD", "COUNT", "1", "STREAMS", "s", "0"},
            {"REPLICA", "XREAD", "STREAMS", "block", "0"}, // a stream named "block"
            {"BLOCKING", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"},
            {"MASTER", "XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
        };
        for (String[] c : cases) {
            RespRequest r = RespRequest.of(UnpooledByteBufAllocator.DEFAULT,
                    java.util.Arrays.copyOfRange(c, 1, c.length));
            try {
                assertEquals(Route.valueOf(c[0]), router.route(table.resolve(r), r), String.join(" ", c));
            } finally {
                r.release();
            }
        }
    }

    @Test
    void routerMapsHandlingToRoute() {
        Router replicas = new Router(ReadFrom.REPLICAS);
        Router master = new Router(ReadFrom.MASTER);
        assertEquals(Route.REPLICA, replicas.route(resolve("GET", "k")));
        assertEquals(Route.MASTER, replicas.route(resolve("SET", "k", "v")));
        assertEquals(Route.LOCAL, replicas.route(resolve("PING")));
        assertEquals(Route.BLOCKING, replicas.route(resolve("BLPOP", "k", "0")));
        assertEquals(Route.PINNED, replicas.route(resolve("MULTI")));
        for (CommandSpec spec : allSpecs(table)) {
            Route route = master.route(spec);
            assertTrue(route != Route.REPLICA, spec + " must not reach a replica with read-from master");
            if (spec.handling() == Handling.READ) {
                assertEquals(Route.MASTER, route, spec.name());
                assertEquals(Route.REPLICA, replicas.route(spec), spec.name());
            }
        }
    }

    // ---------------------------------------------------------------- fromCommandReply

    private static List<Object> entry(String name, long arity, List<String> flags, long first, long last, long step,
                                      List<String> acl, List<?> subs) {
        return List.of(name, arity, flags, first, last, step, acl, List.of(), List.of(), subs);
    }

    @Test
    void fromCommandReply() {
        List<Object> reply = List.of(
                entry("get", 2, List.of("readonly", "fast"), 1, 1, 1, List.of("@read", "@string", "@fast"), List.of()),
                entry("set", -3, List.of("write", "denyoom"), 1, 1, 1, List.of("@write", "@string"), List.of()),
                entry("blpop", -3, List.of("write", "noscript", "blocking"), 1, -2, 1, List.of("@write", "@blocking"),
                        List.of()),
                entry("debug", -2, List.of("admin", "noscript"), 0, 0, 0, List.of("@admin"), List.of()),
                entry("MyMod.Get", 2, List.of("READONLY"), 1, 1, 1, List.of("@read"), List.of()),
                entry("lastsave", 1, List.of("loading", "stale", "fast"), 0, 0, 0, List.of("@fast"), List.of()),
                entry("client", -2, List.of(), 0, 0, 0, List.of("@slow"), List.of(
                        entry("client|setname", 3, List.of("noscript", "loading", "stale"), 0, 0, 0,
                                List.of("@slow", "@connection"), List.of()),
                        entry("client|no-touch", 3, List.of("noscript", "loading", "stale"), 0, 0, 0,
                                List.of("@slow", "@connection"), List.of()))),
                // a pre-7 entry: no tips, key specs or subcommands
                List.of("oldread", 2L, List.of("readonly"), 1L, 1L, 1L, List.of("@read")),
                // a pre-6 entry: no ACL categories either
                List.of("oldwrite", 3L, List.of("write"), 1L, 1L, 1L));
        CommandTable t = CommandTableLoader.fromCommandReply(reply, "COMMAND on test");
        assertEquals("COMMAND on test", t.source());
        assertEquals(Handling.READ, resolve(t, "GET", "k").handling());
        assertEquals(Handling.MASTER, resolve(t, "SET", "k", "v").handling());
        assertEquals(Handling.BLOCKING, resolve(t, "BLPOP", "k", "0").handling());
        assertEquals(Handling.ADMIN, resolve(t, "DEBUG", "SLEEP", "0").handling(), "policy makes DEBUG admin-only");
        assertEquals(Handling.MASTER, resolve(t, "LASTSAVE").handling(), "unflagged: the master");
        CommandSpec mod = resolve(t, "mymod.get", "k");
        assertEquals("mymod.get", mod.name());
        assertEquals(Handling.READ, mod.handling());
        assertEquals(Set.of("readonly"), mod.flags());
        assertEquals(List.of("read"), mod.aclCategories(), "the '@' is stripped");
        assertEquals(Handling.LOCAL, resolve(t, "CLIENT", "SETNAME", "x").handling());
        assertEquals(Handling.REFUSED, resolve(t, "CLIENT", "FOO").handling());
        CommandSpec setinfo = resolve(t, "CLIENT", "SETINFO", "lib-name", "x");
        assertEquals("client|setinfo", setinfo.name(), "policy rows fill in what the server lacks");
        assertEquals(Handling.LOCAL, setinfo.handling());
        assertEquals("client|no-touch", resolve(t, "CLIENT", "NO-TOUCH", "on").name());
        assertEquals(Handling.READ, resolve(t, "OLDREAD", "k").handling());
        assertEquals(List.of(), t.find("oldwrite").aclCategories());
        assertEquals(Handling.MASTER, resolve(t, "OLDWRITE", "k", "v").handling());
        assertNull(resolve(t, "HGET", "h", "f"), "only what the reply lists is known");
        assertEquals(-2, t.find("blpop").lastKey());
    }

    @Test
    void fromCommandReplyKeepsTheServersSetinfoRow() {
        List<Object> reply = List.of(entry("client", -2, List.of(), 0, 0, 0, List.of("@slow"), List.of(
                entry("client|setinfo", 4, List.of("noscript", "loading", "stale"), 0, 0, 0,
                        List.of("@slow", "@connection"), List.of()))));
        CommandTable t = CommandTableLoader.fromCommandReply(reply, "x");
        assertEquals(1, t.find("client").subcommands().stream().filter(s -> s.name().equals("client|setinfo")).count(),
                "no duplicate client|setinfo");
        CommandSpec setinfo = t.find("client|setinfo");
        assertEquals(Handling.LOCAL, setinfo.handling());
        assertTrue(setinfo.aclCategories().contains("connection"));
    }
}
