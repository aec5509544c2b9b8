package io.resplit.acl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One user as its {@code user} line describes it, in Redis's ACL rule syntax. Immutable once built; which
 * commands the rules allow is worked out against a command table by {@link Acl}.
 */
public final class AclUser {
    /** A key pattern with the access it grants ({@code ~p}: both, {@code %R~p}: read, {@code %W~p}: write). */
    record KeyPattern(byte[] pattern, String text, boolean read, boolean write) {
    }

    final String name;
    final boolean enabled;
    final boolean nopass;
    final Set<String> passwordHashes; // SHA-256 hex of each password
    final List<String> commandRules;  // "+get", "-@all", "+config|get", in order
    final boolean allKeys;
    final List<KeyPattern> keys;
    final boolean allChannels;
    final List<byte[]> channels;
    final List<String> channelTexts;

    private AclUser(Builder b) {
        this.name = b.name;
        this.enabled = b.enabled;
        this.nopass = b.nopass;
        this.passwordHashes = Set.copyOf(b.hashes);
        this.commandRules = List.copyOf(b.commandRules);
        this.allKeys = b.allKeys;
        this.keys = List.copyOf(b.keys);
        this.allChannels = b.allChannels;
        this.channels = List.copyOf(b.channels);
        this.channelTexts = List.copyOf(b.channelTexts);
    }

    public String name() {
        return name;
    }

    /** Whether {@code password} lets this user in (enabled, and nopass or a matching hash), in constant time. */
    public boolean accepts(byte[] password) {
        if (!enabled) {
            return false;
        }
        if (nopass) {
            return true;
        }
        byte[] hash = sha256(password).getBytes(StandardCharsets.US_ASCII);
        boolean ok = false;
        for (String h : passwordHashes) {
            ok |= MessageDigest.isEqual(hash, h.getBytes(StandardCharsets.US_ASCII));
        }
        return ok;
    }

    /** Whether the user needs no password (the default user without requirepass). */
    public boolean nopass() {
        return nopass && enabled;
    }

    /**
     * The user as ACL LIST shows it, without its passwords or their hashes (they stay with the operator):
     * {@code user app on ~app:* resetchannels -@all +get}.
     */
    public String describe() {
        StringBuilder s = new StringBuilder("user ").append(name).append(enabled ? " on" : " off");
        if (nopass) {
            s.append(" nopass");
        }
        if (allKeys) {
            s.append(" ~*");
        } else {
            for (KeyPattern k : keys) {
                s.append(' ').append(k.read() && k.write() ? "~" : k.read() ? "%R~" : "%W~").append(k.text());
            }
            if (keys.isEmpty()) {
                s.append(" resetkeys");
            }
        }
        if (allChannels) {
            s.append(" &*");
        } else {
            channelTexts.forEach(c -> s.append(" &").append(c));
            if (channelTexts.isEmpty()) {
                s.append(" resetchannels");
            }
        }
        for (String rule : commandRules) {
            s.append(' ').append(rule);
        }
        return s.toString();
    }

    static String sha256(byte[] password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /**
     * Applies rules in order, as {@code ACL SETUSER} does, starting from a new user's state (off, no password,
     * no keys, no channels, no commands). Throws IllegalArgumentException naming the bad rule (a password
     * rule is not echoed).
     */
    static AclUser parse(String name, List<String> rules) {
        Builder b = new Builder(name);
        for (String rule : rules) {
            b.apply(rule);
        }
        return new AclUser(b);
    }

    /** A user built from another's state plus more rules (the default user's line on top of its base). */
    static AclUser parse(String name, List<String> base, List<String> rules) {
        List<String> all = new ArrayList<>(base);
        all.addAll(rules);
        return parse(name, all);
    }

    private static final class Builder {
        final String name;
        boolean enabled;
        boolean nopass;
        final Set<String> hashes = new LinkedHashSet<>();
        final List<String> commandRules = new ArrayList<>();
        boolean allKeys;
        final List<KeyPattern> keys = new ArrayList<>();
        boolean allChannels;
        final List<byte[]> channels = new ArrayList<>();
        final List<String> channelTexts = new ArrayList<>();

        Builder(String name) {
            this.name = name;
        }

        void apply(String rule) {
            String lower = rule.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "on" -> enabled = true;
                case "off" -> enabled = false;
                case "nopass" -> {
                    nopass = true;
                    hashes.clear();
                }
                case "resetpass" -> {
                    nopass = false;
                    hashes.clear();
                }
                case "allkeys" -> {
                    allKeys = true;
                    keys.clear();
                }
                case "resetkeys" -> {
                    allKeys = false;
                    keys.clear();
                }
                case "allchannels" -> {
                    allChannels = true;
                    channels.clear();
                    channelTexts.clear();
                }
                case "resetchannels" -> {
                    allChannels = false;
                    channels.clear();
                    channelTexts.clear();
                }
                case "allcommands" -> commandRule("+@all");
                case "nocommands" -> commandRule("-@all");
                case "reset" -> {
                    enabled = false;
                    nopass = false;
                    hashes.clear();
                    apply("resetkeys");
                    apply("resetchannels");
                    commandRules.clear();
                    commandRules.add("-@all");
                }
                default -> applyWithArgument(rule, lower);
            }
        }

        private void applyWithArgument(String rule, String lower) {
            if (rule.startsWith(">")) {
                hashes.add(sha256(rule.substring(1).getBytes(StandardCharsets.UTF_8)));
                nopass = false;
            } else if (rule.startsWith("<")) {
                hashes.remove(sha256(rule.substring(1).getBytes(StandardCharsets.UTF_8)));
            } else if (rule.startsWith("#") || rule.startsWith("!")) {
                String hex = lower.substring(1);
                if (!hex.matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("Error in ACL SETUSER modifier '" + rule.charAt(0)
                            + "...': The password hash must be exactly 64 characters and contain only lowercase "
                            + "hexadecimal characters");
                }
                if (rule.startsWith("#")) {
                    hashes.add(hex);
                    nopass = false;
                } else {
                    hashes.remove(hex);
                }
            } else if (rule.startsWith("~")) {
                keyPattern(rule.substring(1), true, true);
            } else if (lower.startsWith("%")) {
                int tilde = rule.indexOf('~');
                String perms = tilde < 0 ? "" : lower.substring(1, tilde);
                if (tilde < 0 || perms.isEmpty() || !perms.matches("[rw]+")) {
                    throw syntax(rule);
                }
                keyPattern(rule.substring(tilde + 1), perms.contains("r"), perms.contains("w"));
            } else if (rule.equals("&*")) {
                apply("allchannels");
            } else if (rule.startsWith("&")) {
                if (!allChannels) {
                    channels.add(rule.substring(1).getBytes(StandardCharsets.UTF_8));
                    channelTexts.add(rule.substring(1));
                }
            } else if ((rule.startsWith("+") || rule.startsWith("-")) && rule.length() > 1) {
                commandRule(rule.charAt(0) + lower.substring(1));
            } else {
                throw syntax(rule);
            }
        }

        private void keyPattern(String pattern, boolean read, boolean write) {
            if (pattern.equals("*") && read && write) {
                apply("allkeys");
            } else if (!allKeys) {
                keys.add(new KeyPattern(pattern.getBytes(StandardCharsets.UTF_8), pattern, read, write));
            }
        }

        private void commandRule(String rule) {
            if (rule.equals("+@all") || rule.equals("-@all")) {
                commandRules.clear(); // everything before is overridden
            }
            commandRules.add(rule);
        }

        private static IllegalArgumentException syntax(String rule) {
            return new IllegalArgumentException("Error in ACL SETUSER modifier '" + rule + "': Syntax error");
        }
    }
}
