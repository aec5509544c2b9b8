package io.resplit.command;

import java.util.List;

/**
 * How a command runs against a Redis Cluster, from the tips Redis 7 gives in {@code COMMAND}
 * ({@code request_policy:...}, {@code response_policy:...}): where it goes and how the replies of several nodes
 * combine into the one a client expects. Commands without tips (and every command on servers older than Redis
 * 7) run on the node of their keys' slot, or on any node when they have no keys.
 *
 * @param request  where the request goes
 * @param response how the replies of several nodes combine
 */
public record ShardPolicy(Request request, Response response) {
    /** Where a request goes in a cluster. */
    public enum Request {
        /** The node serving the slot of its keys (all must share one slot), or any node when it has none. */
        DEFAULT,
        /** Split by slot, one request per slot with that slot's keys (MGET, MSET, DEL, EXISTS, ...). */
        MULTI_SHARD,
        /** Every master (DBSIZE, KEYS, FLUSHALL, SCRIPT EXISTS, ...). */
        ALL_SHARDS,
        /** Every node, masters and replicas (SCRIPT LOAD, SCRIPT FLUSH, CONFIG SET, ...). */
        ALL_NODES,
        /** Needs its own logic (SCAN). */
        SPECIAL
    }

    /** How several nodes' replies become one. */
    public enum Response {
        /** Arrays concatenated (KEYS), or for a split command its keys' values back in request order (MGET). */
        DEFAULT,
        /** The first reply that is not an error (SCRIPT KILL). */
        ONE_SUCCEEDED,
        /** One reply when every node succeeded, else the first error (MSET, FLUSHALL, SCRIPT LOAD). */
        ALL_SUCCEEDED,
        /** Arrays of 0/1 combined element by element (SCRIPT EXISTS). */
        AGG_LOGICAL_AND,
        AGG_LOGICAL_OR,
        /** The least integer (MSETNX, WAIT). */
        AGG_MIN,
        AGG_MAX,
        /** Integers added up (DEL, EXISTS, DBSIZE). */
        AGG_SUM,
        /** Needs its own logic (RANDOMKEY, INFO). */
        SPECIAL
    }

    public static final ShardPolicy DEFAULT = new ShardPolicy(Request.DEFAULT, Response.DEFAULT);

    /** From a command's tips; tips that are not policies (e.g. {@code nondeterministic_output}) are ignored. */
    public static ShardPolicy of(List<String> tips) {
        Request request = Request.DEFAULT;
        Response response = Response.DEFAULT;
        for (String tip : tips) {
            if (tip.startsWith("request_policy:")) {
                request = named(Request.class, tip.substring("request_policy:".length()), Request.SPECIAL);
            } else if (tip.startsWith("response_policy:")) {
                response = named(Response.class, tip.substring("response_policy:".length()), Response.SPECIAL);
            }
        }
        return request == Request.DEFAULT && response == Response.DEFAULT ? DEFAULT
                : new ShardPolicy(request, response);
    }

    /** A policy a later Redis adds is not guessed at: it counts as needing logic of its own. */
    private static <E extends Enum<E>> E named(Class<E> type, String name, E unknown) {
        try {
            return Enum.valueOf(type, name.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return unknown;
        }
    }
}
