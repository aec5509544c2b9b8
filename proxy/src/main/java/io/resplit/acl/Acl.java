package io.resplit.acl;

import io.resplit.command.CommandSpec;
import io.resplit.command.CommandTable;
import io.resplit.resp.RespRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy's users, compiled against a command table: an immutable snapshot, rebuilt whole when the users
 * change (RELOAD, CONFIG SET requirepass) or the command table does (its categories come from the master's
 * COMMAND). {@code requirepass} is the default user's password, as in Redis.
 */
public final class Acl {
    public static final String DEFAULT_USER = "default";
    /** Commands that run code on the backends (refused to every user with a restriction). */
    static final Set<String> SCRIPTS = Set.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro",
            "script|load", "function|load", "function|restore");
    private static final AtomicInteger VERSIONS = new AtomicInteger();

    private final Map<String, Permissions> users;
    private final List<AclUser> definitions;
    private final int version = VERSIONS.incrementAndGet();

    private Acl(List<AclUser> definitions, CommandTable table) {
        this.definitions = List.copyOf(definitions);
        Map<String, Permissions> m = new LinkedHashMap<>();
        for (AclUser u : definitions) {
            m.put(u.name, new Permissions(u, allowedCommands(u, table)));
        }
        this.users = m;
    }

    /**
     * The users of a configuration: the default user (all commands, keys and channels; password
     * {@code requirepass}, or none), every {@code user} line, and the lines of {@code aclfile}. A {@code user}
     * line for an existing name adds to its rules, as ACL SETUSER does. Throws IllegalArgumentException with
     * the reason.
     */
    public static Acl build(String requirepass, List<List<String>> userLines, String aclFile, CommandTable table) {
        List<List<String>> lines = new ArrayList<>(userLines);
        if (aclFile != null) {
            lines.addAll(readAclFile(Path.of(aclFile)));
        }
        Map<String, List<String>> rules = new LinkedHashMap<>();
        rules.put(DEFAULT_USER, new ArrayList<>(List.of("on", "~*", "&*", "+@all")));
        for (List<String> line : lines) {
            if (line.isEmpty()) {
                throw new IllegalArgumentException("user: a name is needed");
            }
            String name = line.get(0);
            if (!name.matches("[!-~]+")) {
                throw new IllegalArgumentException("user: the name '" + name + "' has spaces or control characters");
            }
            List<String> own = line.subList(1, line.size());
            if (name.equals(DEFAULT_USER)) {
                for (String r : own) {
                    String lower = r.toLowerCase(Locale.ROOT);
                    if (r.startsWith(">") || r.startsWith("<") || r.startsWith("#") || r.startsWith("!")
                            || lower.equals("nopass") || lower.equals("resetpass") || lower.equals("reset")) {
                        throw new IllegalArgumentException("user default: its password is requirepass; password "
                                + "rules ('>', '#', nopass, resetpass, reset) are not taken here");
                    }
                }
            }
            rules.computeIfAbsent(name, n -> new ArrayList<>()).addAll(own);
        }
        List<String> defaultRules = rules.get(DEFAULT_USER);
        defaultRules.add(requirepass == null || requirepass.isEmpty() ? "nopass" : ">" + requirepass);
        List<AclUser> defs = new ArrayList<>();
        rules.forEach((name, r) -> defs.add(AclUser.parse(name, r)));
        Acl acl = new Acl(defs, table);
        acl.checkCommandNames(table);
        return acl;
    }

    /** The same users against another command table (the master's, after start or a failover). */
    public Acl recompile(CommandTable table) {
        return new Acl(definitions, table);
    }

    /** Changes whenever a new snapshot is built, so sessions know to look their user up again. */
    public int version() {
        return version;
    }

    /** The user {@code name} if {@code password} lets it in, else null (as WRONGPASS, whatever the reason). */
    public Permissions authenticate(String name, byte[] password) {
        Permissions p = users.get(name);
        return p != null && p.user.accepts(password) ? p : null;
    }

    /** The user named {@code name} now, or null when it no longer exists. */
    public Permissions user(String name) {
        return users.get(name);
    }

    public Permissions defaultUser() {
        return users.get(DEFAULT_USER);
    }

    /** ACL USERS. */
    public List<String> names() {
        return new ArrayList<>(users.keySet());
    }

    /** ACL LIST, without passwords or their hashes. */
    public List<String> list() {
        List<String> out = new ArrayList<>();
        users.values().forEach(p -> out.add(p.user.describe()));
        return out;
    }

    /** Every command and subcommand name the rules of {@code u} allow in {@code table}. */
    private static Set<String> allowedCommands(AclUser u, CommandTable table) {
        Set<String> allowed = new HashSet<>();
        List<CommandSpec> all = new ArrayList<>();
        for (CommandSpec c : table.commands()) {
            all.add(c);
            all.addAll(c.subcommands());
        }
        for (String rule : u.commandRules) {
            boolean add = rule.charAt(0) == '+';
            String what = rule.substring(1);
            List<String> names = new ArrayList<>();
            if (what.startsWith("@")) {
                String category = what.substring(1);
                for (CommandSpec c : all) {
                    if (category.equals("all") || c.aclCategories().contains(category)) {
                        names.add(c.name());
                    }
                }
            } else {
                CommandSpec c = find(table, what);
                if (c != null) {
                    names.add(c.name());
                    c.subcommands().forEach(sub -> names.add(sub.name())); // +config allows CONFIG GET, ...
                }
            }
            if (add) {
                allowed.addAll(names);
            } else {
                allowed.removeAll(names);
            }
        }
        return allowed;
    }

    private void checkCommandNames(CommandTable table) {
        for (AclUser u : definitions) {
            for (String rule : u.commandRules) {
                String what = rule.substring(1);
                if (!what.startsWith("@") && find(table, what) == null) {
                    throw new IllegalArgumentException("Error in ACL SETUSER modifier '" + rule + "': Unknown "
                            + "command (user " + u.name + ")");
                }
            }
        }
    }

    private static CommandSpec find(CommandTable table, String name) {
        return table.find(name);
    }

    private static List<List<String>> readAclFile(Path file) {
        List<List<String>> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("aclfile " + file + " cannot be read: " + e.getMessage());
        }
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> words = List.of(line.split("\\s+"));
            if (!words.get(0).equals("user") || words.size() < 2) {
                throw new IllegalArgumentException("aclfile " + file + ", line " + (n + 1)
                        + ": should start with 'user NAME'");
            }
            out.add(words.subList(1, words.size()));
        }
        return out;
    }

    /** A user's rules compiled against one command table: what {@code ClientHandler} checks per request. */
    public static final class Permissions {
        final AclUser user;
        private final Set<String> allowed;
        private final boolean unrestricted;

        Permissions(AclUser user, Set<String> allowed) {
            this.user = user;
            this.allowed = allowed;
            this.unrestricted = user.allKeys && user.allChannels && user.commandRules.size() == 1
                    && user.commandRules.get(0).equals("+@all");
        }

        public String name() {
            return user.name;
        }

        /** Whether the user needs no password (the default user without requirepass): new connections are in. */
        public boolean nopass() {
            return user.nopass();
        }

        /** Every command, key and channel: no check per request (the default user, normally). */
        public boolean unrestricted() {
            return unrestricted;
        }

        /**
         * Why this user may not run {@code r}, in Redis's wording ({@code NOPERM ...}), or null when it may.
         * AUTH, HELLO and QUIT are always allowed, as in Redis.
         */
        public String denial(CommandSpec spec, RespRequest r) {
            if (unrestricted || (spec != null && spec.hasFlag("no_auth"))) {
                return null;
            }
            String name = spec == null ? r.argString(0).toLowerCase(Locale.ROOT) : spec.name();
            if (spec == null || !allowed.contains(name) || SCRIPTS.contains(name)) {
                // scripts and functions run on the backends with the proxy's own rights, where no rule of this
                // user would apply to what they call: only users without restrictions may run them
                return "NOPERM this user has no permissions to run the '" + name + "' command";
            }
            if (!user.allKeys && !KeyAccess.allowed(user, spec, r)) {
                return "NOPERM this user has no permissions to access one of the keys used as arguments";
            }
            if (!user.allChannels && !ChannelAccess.allowed(user, spec, r)) {
                return "NOPERM this user has no permissions to access one of the channels used as arguments";
            }
            return null;
        }
    }
}
