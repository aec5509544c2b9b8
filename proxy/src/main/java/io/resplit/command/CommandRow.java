package io.resplit.command;

import java.util.List;
import java.util.Set;

/** One command as Redis describes it, before the proxy's handling is decided. */
record CommandRow(String name, int arity, Set<String> flags, int firstKey, int lastKey, int keyStep,
                  List<String> aclCategories) {

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
