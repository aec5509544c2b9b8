package io.resplit.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.resplit.command.CommandTable;
import io.resplit.command.CommandTableLoader;
import io.resplit.resp.RespRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Rules, glob patterns and per-request checks of the proxy's users, against the built-in command table. */
class AclTest {
    private final CommandTable table = CommandTableLoader.builtIn();

    private Acl acl(String requirepass, List<List<String>> users) {
        return Acl.build(requirepass, users, null, table);
    }

    private String check(Acl.Permissions p, String... args) {
        RespRequest r = RespRequest.of(UnpooledByteBufAllocator.DEFAULT, args);
        try {
            return p.denial(table.resolve(r), r);
        } finally {
            r.release();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void globMatchesAsRedisDoes() {
        Function<String, Boolean> app = s -> Glob.matches(b("app:*"), b(s));
        assertTrue(app.apply("app:1") && app.apply("app:") && !app.apply("ap:1"));
        assertTrue(Glob.matches(b("h?llo"), b("hello")) && !Glob.matches(b("h?llo"), b("hllo")));
        assertTrue(Glob.matches(b("h[ae]llo"), b("hallo")) && !Glob.matches(b("h[ae]llo"), b("hillo")));
        assertTrue(Glob.matches(b("h[^e]llo"), b("hallo")) && !Glob.matches(b("h[^e]llo"), b("hello")));
        assertTrue(Glob.matches(b("h[a-c]llo"), b("hbllo")) && !Glob.matches(b("h[a-c]llo"), b("hdllo")));
        assertTrue(Glob.matches(b("a\\*b"), b("a*b")) && !Glob.matches(b("a\\*b"), b("axb")));
        assertTrue(Glob.matches(b("*"), b("")) && Glob.matches(b("**x"), b("abx")));
    }

    @Test
    void theDefaultUserHasRequirepassAndEverything() {
        Acl open = acl(null, List.of());
        assertTrue(open.defaultUser().nopass() && open.defaultUser().unrestricted());
        Acl closed = acl("secret", List.of());
        assertFalse(closed.defaultUser().nopass());
        assertNotNull(closed.authenticate("default", b("secret")));
        assertNull(closed.authenticate("default", b("wrong")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> acl("secret", List.of(List.of("default", ">other"))));
        assertTrue(e.getMessage().contains("requirepass"), e.getMessage());
        Acl limited = acl("secret", List.of(List.of("default", "-flushall")));
        assertNotNull(check(limited.defaultUser(), "FLUSHALL"));
        assertNull(check(limited.defaultUser(), "GET", "k"));
    }

    @Test
    void commandsCategoriesAndSubcommandsApplyInOrder() {
        Acl a = acl(null, List.of(List.of("u", "on", "nopass", "~*", "-@all", "+@read", "-get", "+config|get",
                "+client", "-client|kill")));
        Acl.Permissions u = a.user("u");
        assertNull(check(u, "MGET", "a", "b"));
        assertEquals("NOPERM this user has no permissions to run the 'get' command", check(u, "GET", "a"));
        assertEquals("NOPERM this user has no permissions to run the 'set' command", check(u, "SET", "a", "1"));
        assertNull(check(u, "CONFIG", "GET", "x"));
        assertNotNull(check(u, "CONFIG", "SET", "x", "y"));
        assertNull(check(u, "CLIENT", "ID"));
        assertEquals("NOPERM this user has no permissions to run the 'client|kill' command",
                check(u, "CLIENT", "KILL", "ID", "1"));
        assertNull(check(u, "AUTH", "u", "x"), "AUTH is always allowed");
        assertThrows(IllegalArgumentException.class, () -> acl(null, List.of(List.of("v", "+nosuchcommand"))));
        assertThrows(IllegalArgumentException.class, () -> acl(null, List.of(List.of("v", "bogus"))));
    }

    @Test
    void keysFollowReadAndWritePatternsIncludingMovableKeys() {
        Acl a = acl(null, List.of(List.of("u", "on", "nopass", "+@all", "~app:*", "%R~ro:*", "%W~wo:*")));
        Acl.Permissions u = a.user("u");
        String keys = "NOPERM this user has no permissions to access one of the keys used as arguments";
        assertNull(check(u, "SET", "app:1", "v"));
        assertNull(check(u, "GET", "ro:1"));
        assertEquals(keys, check(u, "SET", "ro:1", "v"));
        assertNull(check(u, "SET", "wo:1", "v"));
        assertEquals(keys, check(u, "GET", "wo:1"));
        assertEquals(keys, check(u, "MSET", "app:1", "v", "other", "v"));
        assertNull(check(u, "ZUNIONSTORE", "app:d", "2", "app:a", "app:b"));
        assertEquals(keys, check(u, "ZUNIONSTORE", "app:d", "2", "app:a", "other"));
        assertNull(check(u, "XREAD", "COUNT", "1", "STREAMS", "ro:s", "0"));
        assertEquals(keys, check(u, "XREAD", "STREAMS", "other", "0"));
        assertEquals("NOPERM this user has no permissions to run the 'eval' command", check(u, "EVAL", "return 1", "0"),
                "scripts run with the proxy's rights: only unrestricted users may run them");
        assertEquals(keys, check(u, "SORT", "app:l", "BY", "other:*"));
    }

    @Test
    void channelsAndPatterns() {
        Acl a = acl(null, List.of(List.of("u", "on", "nopass", "+@all", "~*", "&news.*")));
        Acl.Permissions u = a.user("u");
        String channels = "NOPERM this user has no permissions to access one of the channels used as arguments";
        assertNull(check(u, "PUBLISH", "news.today", "x"));
        assertEquals(channels, check(u, "PUBLISH", "sport", "x"));
        assertNull(check(u, "SUBSCRIBE", "news.a", "news.b"));
        assertEquals(channels, check(u, "SUBSCRIBE", "news.a", "sport"));
        assertNull(check(u, "PSUBSCRIBE", "news.*"), "a pattern must be one of the user's exactly");
        assertEquals(channels, check(u, "PSUBSCRIBE", "news.t*"));
    }

    @Test
    void listShowsNoSecretsAndDisabledUsersCannotLogIn() {
        Acl a = acl("top", List.of(List.of("u", "on", ">pw1", "#" + AclUser.sha256(b("pw2")), "~k:*", "+get"),
                List.of("off-user", "off", ">x", "+@all")));
        assertNotNull(a.authenticate("u", b("pw1")));
        assertNotNull(a.authenticate("u", b("pw2")));
        assertNull(a.authenticate("off-user", b("x")));
        String list = String.join("\n", a.list());
        assertTrue(list.contains("user u on ~k:* resetchannels +get"), list);
        for (String secret : List.of("pw1", AclUser.sha256(b("pw1")), AclUser.sha256(b("pw2")), "top")) {
            assertFalse(list.contains(secret), list);
        }
        assertEquals(List.of("default", "u", "off-user"), a.names());
    }
}
