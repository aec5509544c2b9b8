package io.resplit.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.resplit.command.CommandSpec;
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

    /**
     * read-from, allowed admin commands, the command, its route between MULTI and EXEC: queued on the master
     * (MASTER; its lane is the pinned one) unless it is a transaction command, refused anyway, run at once by
     * Redis too (QUIT, RESET), or a local command that changes the proxy's own connection state (refused, so
     * that EXEC aborts).
     */
    static Stream<Arguments> insideMultiCases() {
        ReadFrom replicas = ReadFrom.REPLICAS;
        ReadFrom master = ReadFrom.MASTER;
        Set<String> none = Set.of();
        return Stream.of(
                Arguments.of(replicas, none, "GET k", Route.MASTER), // a read is queued with the writes
                Arguments.of(master, none, "GET k", Route.MASTER),
                Arguments.of(replicas, none, "SET k v", Route.MASTER),
                Arguments.of(replicas, none, "FOOBAR x", Route.MASTER), // unknown: the master refuses it itself
                Arguments.of(replicas, none, "BLPOP k 0", Route.MASTER), // Redis does not block inside MULTI
                Arguments.of(replicas, none, "XREAD BLOCK 0 STREAMS s $", Route.MASTER),
                Arguments.of(replicas, none, "SUBSCRIBE c", Route.MASTER),
                Arguments.of(replicas, none, "MULTI", Route.PINNED), // nested: the master answers the error
                Arguments.of(replicas, none, "EXEC", Route.PINNED),
                Arguments.of(replicas, none, "DISCARD", Route.PINNED),
                Arguments.of(replicas, none, "WATCH k", Route.PINNED),
                Arguments.of(replicas, none, "PING", Route.MASTER), // local-queue
                Arguments.of(replicas, none, "ECHO x", Route.MASTER),
                Arguments.of(replicas, none, "QUIT", Route.LOCAL), // local-immediate
                Arguments.of(replicas, none, "RESET", Route.LOCAL),
                Arguments.of(replicas, none, "SELECT 1", Route.REFUSED), // the proxy's own connection state
                Arguments.of(replicas, none, "HELLO 3", Route.REFUSED),
                Arguments.of(replicas, none, "CLIENT REPLY OFF", Route.REFUSED),
                Arguments.of(replicas, none, "CONFIG GET maxmemory", Route.REFUSED), // its reply would be unfiltered
                Arguments.of(replicas, none, "INFO", Route.REFUSED),
                Arguments.of(replicas, none, "CONFIG SET maxmemory 0", Route.REFUSED), // admin, not allowed
                Arguments.of(replicas, Set.of("config|set"), "CONFIG SET maxmemory 0", Route.MASTER),
                Arguments.of(replicas, none, "ACL GETUSER bob", Route.REFUSED));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("insideMultiCases")
    void insideMulti(ReadFrom readFrom, Set<String> allowedAdmin, String command, Route inMulti) {
        RespRequest r = RespRequest.of(UnpooledByteBufAllocator.DEFAULT, command.split(" "));
        try {
            CommandSpec spec = table.resolve(r);
            Route route = new Router(readFrom, allowedAdmin).route(spec, r);
            assertEquals(inMulti, Router.insideMulti(spec, route), command + " inside MULTI");
        } finally {
            r.release();
        }
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
