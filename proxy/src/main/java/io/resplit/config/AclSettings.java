package io.resplit.config;

import java.util.List;

/**
 * The proxy's own users: each {@code user NAME rules...} line (the rules as written, in Redis's ACL syntax),
 * and {@code aclfile}, a file of such lines read at start and by RELOAD. Parsed into users by the acl package.
 */
public record AclSettings(List<List<String>> users, String aclFile) {
    public AclSettings {
        users = users.stream().map(List::copyOf).toList();
    }

    public static AclSettings defaults() {
        return new AclSettings(List.of(), null);
    }

    /** The user names of the {@code user} lines, for CONFIG GET and logs (their rules hold passwords). */
    public List<String> names() {
        return users.stream().map(u -> u.isEmpty() ? "" : u.get(0)).distinct().toList();
    }
}
