package io.resplit.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.resplit.command.CommandTable;
import io.resplit.command.CommandTableLoader;
import io.resplit.config.ReadFrom;
import io.resplit.resp.RespRequest;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The router from a table of cases: command facts and session state in, route and lane out; no sockets. */
class RouterTest {
    private static CommandTable table;

    @BeforeAll
    static void load() {
        table = CommandTableLoader.builtIn();
    }

    /**
     * read-from, allowed admin commands, the command, its route, its lane when forwarded outside MULTI and WATCH
     * (null: not forwarded); inside MULTI or WATCH every forwarded request takes the pinned lane.
     */
    static Stream<Arguments> cases() {
        ReadFrom replicas = ReadFrom.REPLICAS;
        ReadFrom master = ReadFrom.MASTER;
        Set<String> none = Set.of();
        return Stream.of(
                Arguments.of(replicas, none, "PING", Route.LOCAL, null),
                Arguments.of(replicas, none, "SELECT 1", Route.LOCAL, null),
                Arguments.of(replicas, none, "INFO", Route.LOCAL, Route.MASTER), // the proxy's own request
                Arguments.of(replicas, none, "GET k", Route.REPLICA, Route.REPLICA),
                Arguments.of(master, none, "GET k", Route.MASTER, Route.MASTER),
                Arguments.of(replicas, none, "XREAD COUNT 1 STREAMS s 0", Route.REPLICA, Route.REPLICA),
                Arguments.of(replicas, none, "SET k v", Route.MASTER, Route.MASTER),
                Arguments.of(replicas, none, "FOOBAR x", Route.MASTER, Route.MASTER), // unknown: never a replica
                Arguments.of(replicas, Set.of("config|set"), "CONFIG SET maxmemory 0", Route.MASTER, Route.MASTER),
                Arguments.of(replicas, Set.of("*"), "SHUTDOWN", Route.MASTER, Route.MASTER),
                Arguments.of(replicas, none, "MULTI", Route.PINNED, Route.PINNED),
                Arguments.of(replicas, none, "EXEC", Route.PINNED, Route.PINNED),
                Arguments.of(replicas, none, "WATCH k", Route.PINNED, Route.PINNED),
                Arguments.of(replicas, none, "UNWATCH", Route.PINNED, Route.PINNED),
                Arguments.of(replicas, none, "BLPOP k 0", Route.BLOCKING, Route.BLOCKING),
                Arguments.of(replicas, none, "XREAD BLOCK 0 STREAMS s $", Route.BLOCKING, Route.BLOCKING),
                Arguments.of(replicas, none, "SUBSCRIBE c", Route.PUBSUB, null),
                Arguments.of(replicas, none, "PUNSUBSCRIBE", Route.PUBSUB, null),
                Arguments.of(replicas, none, "CONFIG SET maxmemory 0", Route.REFUSED, null), // admin, not allowed
                Arguments.of(replicas, none, "ACL GETUSER bob", Route.REFUSED, null));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void routesAndLanes(ReadFrom readFrom, Set<String> allowedAdmin, String command, Route route, Route lane) {
        RespRequest r = RespRequest.of(UnpooledByteBufAllocator.DEFAULT, command.split(" "));
        try {
            Route actual = new Router(readFrom, allowedAdmin).route(table.resolve(r), r);
            assertEquals(route, actual, command);
            if (lane != null) {
                assertEquals(lane, Router.lane(actual, false), command + " outside MULTI and WATCH");
                assertEquals(Route.PINNED, Router.lane(actual, true), command + " inside MULTI or WATCH");
            }
        } finally {
            r.release();
        }
    }
}
