package io.resplit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.testing.ProxyFixture;
import io.resplit.testing.ProxyUnderTest;
import io.resplit.testing.RawClient;
import io.resplit.testing.RedisTopology;
import io.resplit.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Pub/Sub through the proxy: subscribed mode, messages, PUBSUB introspection, re-subscription after a loss. */
class PubSubIT {
    private static final String AUTH = "AUTH " + ProxyUnderTest.PASSWORD + "\r\n";
    private static RedisTopology topology;
    private static ProxyUnderTest proxy;

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(1);
        topology = fixture.topology();
        proxy = fixture.proxy();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static RawClient subscriber(String command) throws Exception {
        RawClient c = new RawClient(proxy.port());
        c.send(AUTH + command + "\r\n");
        assertEquals("+OK", c.readLine());
        return c;
    }

    private static void expect(RawClient c, String... lines) throws Exception {
        for (String line : lines) {
            assertEquals(line, c.readLine());
        }
    }

    @Test
    void subscribePublishAndIntrospect() throws Exception {
        try (RawClient sub = subscriber("SUBSCRIBE ps:news ps:sport"); Jedis pub = proxy.jedis()) {
            expect(sub, "*3", "$9", "subscribe", "$7", "ps:news", ":1", "*3", "$9", "subscribe", "$8", "ps:sport", ":2");
            assertEquals(1L, pub.publish("ps:news", "hello"));
            expect(sub, "*3", "$7", "message", "$7", "ps:news", "$5", "hello");
            assertEquals(Map.of("ps:news", 1L), pub.pubsubNumSub("ps:news"));
            assertTrue(pub.pubsubChannels("ps:*").containsAll(List.of("ps:news", "ps:sport")));
        }
    }

    @Test
    void patternsAndPingInSubscribedMode() throws Exception {
        try (RawClient sub = subscriber("PSUBSCRIBE pp:*"); Jedis pub = proxy.jedis()) {
            expect(sub, "*3", "$10", "psubscribe", "$4", "pp:*", ":1");
            sub.send("PING\r\n");
            expect(sub, "*2", "$4", "pong", "$0", "");
            pub.publish("pp:x", "m1");
            expect(sub, "*4", "$8", "pmessage", "$4", "pp:*", "$4", "pp:x", "$2", "m1");
            sub.send("GET k\r\n");
            expect(sub, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                    + "allowed in this context");
        }
    }

    @Test
    void unsubscribingFromEverythingReturnsToNormalCommands() throws Exception {
        try (RawClient sub = subscriber("SUBSCRIBE ps:a")) {
            expect(sub, "*3", "$9", "subscribe", "$4", "ps:a", ":1");
            sub.send("UNSUBSCRIBE\r\n");
            expect(sub, "*3", "$11", "unsubscribe", "$4", "ps:a", ":0");
            sub.send("SET ps:after 1\r\nGET ps:after\r\n");
            expect(sub, "+OK", "$1", "1");
        }
        try (RawClient c = subscriber("UNSUBSCRIBE ps:never")) {
            expect(c, "*3", "$11", "unsubscribe", "$8", "ps:never", ":0"); // as Redis answers when not subscribed
            c.send("PING\r\n");
            expect(c, "+PONG");
        }
    }

    @Test
    void aSubscribeWithoutChannelsIsAnArityErrorAndSubscribesNothing() throws Exception {
        try (RawClient c = subscriber("SUBSCRIBE\r\nSET ps:arity 1")) {
            expect(c, "-ERR wrong number of arguments for 'subscribe' command", "+OK");
        }
    }

    @Test
    void repliesBeforeSubscribeComeFirst() throws Exception {
        try (RawClient c = subscriber("SET ps:first 1\r\nGET ps:first\r\nSUBSCRIBE ps:order")) {
            expect(c, "+OK", "$1", "1", "*3", "$9", "subscribe", "$8", "ps:order", ":1");
        }
    }

    @Test
    void aLostSubscriberConnectionIsReplacedWithoutTheClientNoticing() throws Exception {
        try (RawClient sub = subscriber("SUBSCRIBE ps:resub"); Jedis pub = proxy.jedis();
             Jedis master = topology.jedis(topology.master())) {
            expect(sub, "*3", "$9", "subscribe", "$8", "ps:resub", ":1");
            assertTrue(master.clientKill(redis.clients.jedis.params.ClientKillParams.clientKillParams()
                    .type(redis.clients.jedis.args.ClientType.PUBSUB)) >= 1);
            Wait.until(Duration.ofSeconds(15), () -> pub.pubsubNumSub("ps:resub").get("ps:resub") == 1L,
                    "the proxy subscribed again");
            pub.publish("ps:resub", "after");
            expect(sub, "*3", "$7", "message", "$8", "ps:resub", "$5", "after");
        }
    }
}
