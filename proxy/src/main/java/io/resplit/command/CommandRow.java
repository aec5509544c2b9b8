package io.resplit.command;

import java.util.List;
import java.util.Set;

/**
 * One command as Redis describes it, before the proxy's handling is decided; {@code tips} are Redis's command
 * tips ({@code request_policy:multi_shard}, ...), empty for servers older than Redis 7.
 */
record CommandRow(String name, int arity, Set<String> flags, int firstKey, int lastKey, int keyStep,
                  List<String> aclCategories, List<String> tips) {

    boolean isSubcommand() {
        return name.indexOf('|') >= 0;
    }

    String parent() {
        return name.substring(0, name.indexOf('|'));
    }

    String subName() {
        return name.substring(name.indexOf('|') + 1);
    }
}
