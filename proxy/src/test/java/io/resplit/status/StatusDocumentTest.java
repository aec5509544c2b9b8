package io.resplit.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.BackendNode;
import io.resplit.backend.TestNodes;
import io.resplit.config.HostPort;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.topology.FailoverCoordinator;
import io.resplit.topology.MasterChange;
import io.resplit.topology.Topology;
import io.resplit.topology.TopologyHolder;
import io.resplit.topology.WriteGate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** status.json from sockets-free nodes and in-memory meters: what STATUS and BACKENDS say, rates, no secret. */
class StatusDocumentTest {
    @Test
    @SuppressWarnings("unchecked")
    void theDocumentHoldsTheTopologyTheSamplesAndTheSentinelsButNoPassword() {
        BackendNode master = TestNodes.master(7001, 1000);
        BackendNode lagging = TestNodes.replica(7002, 900);
        BackendNode down = TestNodes.replica(7003, 1000);
        TestNodes.markDown(down, "cannot connect to 127.0.0.1:7003");
        TopologyHolder topology = TopologyHolder.standalone(new Topology(master, List.of(lagging, down)));
        WriteGate gate = new WriteGate(null);
        FailoverCoordinator failover = new FailoverCoordinator(topology, gate,
                new BackendCredentials("backend-user", "backend-secret"), 1000);
        failover.managedBy("the sentinels", () -> "sentinel_master_name:mymaster\r\nsentinels:3\r\n");
        ProxyMetrics metrics = ProxyMetrics.prometheus();
        StatusSources sources = new StatusSources(topology, gate, failover, metrics, () -> 7, () -> 2,
                () -> "replicas");
        SampleRing<Sample> ring = new SampleRing<>(10);
        FailoverHistory history = new FailoverHistory(5);
        StatusSampler sampler = new StatusSampler(sources, ring);
        StatusDocument document = new StatusDocument(sources, ring, history, 2000, 10);

        sampler.run(); // the baseline
        metrics.commands("get", "replica", "ok", 0).add(40);
        metrics.commands("incr", "master", "error", 0).add(3);
        metrics.requestDuration("replica", 0).recordNanos(300_000);
        metrics.backendDuration("127.0.0.1:7002", 0).recordNanos(200_000);
        sampler.run();
        history.add(new MasterChange(1234, new HostPort("127.0.0.1", 7002), new HostPort("127.0.0.1", 7001),
                "failover", 5000));

        Map<String, Object> doc = document.build();
        assertEquals("127.0.0.1:7001", doc.get("master"));
        assertEquals(1L, doc.get("replicas_serving_reads"));
        assertEquals(Map.of("connected", 7, "refused", 2L), doc.get("clients"));
        assertEquals(Map.of("open", true, "clients_waiting", 0), doc.get("write_gate"));
        assertEquals(Map.of("sentinel_master_name", "mymaster", "sentinels", "3"), doc.get("sentinels"));

        List<Map<String, Object>> backends = (List<Map<String, Object>>) doc.get("backends");
        assertEquals(List.of("master", "replica", "replica"), backends.stream().map(b -> b.get("role")).toList());
        assertEquals(100L, backends.get(1).get("lag_bytes"));
        assertTrue((Double) backends.get(1).get("requests_per_s") > 0, backends.get(1).toString());
        assertEquals("down", backends.get(2).get("status"));
        assertEquals("cannot connect to 127.0.0.1:7003", backends.get(2).get("reason"));
        assertNull(backends.get(0).get("reason"));

        List<Map<String, Object>> routes = (List<Map<String, Object>>) doc.get("routes");
        Map<String, Object> masterRoute = routes.stream().filter(r -> r.get("route").equals("master")).findFirst()
                .orElseThrow();
        assertEquals(masterRoute.get("requests_per_s"), masterRoute.get("errors_per_s"), "every master reply erred");
        assertTrue(routes.stream().anyMatch(r -> r.get("route").equals("replica") && r.get("p99_us") != null));

        Map<String, Object> failovers = (Map<String, Object>) doc.get("failovers");
        assertEquals(List.of(Map.of("time_ms", 1234L, "from", "127.0.0.1:7002", "to", "127.0.0.1:7001",
                "how", "failover", "write_pause_us", 5000L)), failovers.get("history"));
        Map<String, List<Object>> lag = (Map<String, List<Object>>) ((Map<String, Object>) doc.get("history"))
                .get("lag_bytes");
        assertEquals(List.of(100L), lag.get("127.0.0.1:7002"));

        String json = document.json();
        assertFalse(json.contains("backend-secret") || json.contains("backend-user"), json);
    }
}
