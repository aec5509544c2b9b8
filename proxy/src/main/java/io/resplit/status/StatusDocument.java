package io.resplit.status;

import io.resplit.topology.BackendView;
import io.resplit.topology.FailoverCoordinator;
import io.resplit.topology.MasterChange;
import io.resplit.topology.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code /status.json}: the proxy now (what admin {@code STATUS} and {@code BACKENDS} say, with the last
 * sample's rates) and the sampled history for the charts. Built when asked for, on the metrics HTTP thread. Only
 * addresses, counts and states go in: no setting is copied wholesale, so no password can.
 */
final class StatusDocument {
    private final StatusSources sources;
    private final SampleRing<Sample> samples;
    private final FailoverHistory failovers;
    private final long intervalMillis;
    private final int samplesKept;
    private final long startMillis = System.currentTimeMillis();

    StatusDocument(StatusSources sources, SampleRing<Sample> samples, FailoverHistory failovers,
                   long intervalMillis, int samplesKept) {
        this.sources = sources;
        this.samples = samples;
        this.failovers = failovers;
        this.intervalMillis = intervalMillis;
        this.samplesKept = samplesKept;
    }

    String json() {
        return Json.write(build());
    }

    Map<String, Object> build() {
        Topology t = sources.topology().current();
        List<BackendView> nodes = BackendView.of(t);
        List<Sample> history = samples.snapshot();
        Sample last = history.isEmpty() ? null : history.get(history.size() - 1);
        long now = System.currentTimeMillis();
        FailoverCoordinator f = sources.failover();

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("time_ms", now);
        doc.put("uptime_s", (now - startMillis) / 1000);
        doc.put("sample_interval_s", intervalMillis / 1000.0);
        doc.put("history_window_s", intervalMillis * samplesKept / 1000);
        doc.put("master", t.master().address().toString());
        doc.put("master_status", t.master().isUp() ? "up" : "down");
        doc.put("replicas", t.replicas().size());
        doc.put("replicas_serving_reads", nodes.stream().filter(BackendView::servesReads).count());
        doc.put("read_from", sources.readFrom().get());
        doc.put("write_gate", map("open", sources.writeGate().isOpen(),
                "clients_waiting", sources.writeGate().waiting()));
        doc.put("clients", map("connected", sources.connectedClients().getAsInt(),
                "refused", sources.refusedClients().getAsLong()));
        doc.put("failovers", map("done", f.completed(), "aborted", f.aborted(), "in_progress", f.inProgress(),
                "last_write_pause_us", f.lastPauseMicros(), "history", changes()));
        doc.put("sentinels", keyValues(f.authorityStatus()));
        doc.put("backends", backends(nodes, last));
        doc.put("routes", routes(last));
        doc.put("history", history(history));
        return doc;
    }

    private List<Object> backends(List<BackendView> nodes, Sample last) {
        List<Object> out = new ArrayList<>();
        for (BackendView n : nodes) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("addr", n.address().toString());
            row.put("role", n.master() ? "master" : "replica");
            row.put("status", n.up() ? "up" : "down");
            row.put("reported_role", n.reportedRole());
            row.put("link", n.link());
            row.put("offset", n.offset());
            row.put("lag_bytes", n.lagBytes());
            row.put("serves_reads", n.servesReads());
            row.put("inflight", n.inflight());
            row.put("weight", n.weight());
            row.put("latency_us", n.latencyMicros());
            Sample.NodeFigures figures = last == null ? null : last.nodes().get(n.address().toString());
            row.put("requests_per_s", figures == null ? null : round(figures.requestsPerSecond()));
            row.put("p99_us", figures == null || figures.p99Micros() < 0 ? null : figures.p99Micros());
            row.put("reason", n.reason());
            out.add(row);
        }
        return out;
    }

    private static List<Object> routes(Sample last) {
        List<Object> out = new ArrayList<>();
        if (last != null) {
            last.routes().forEach((route, r) -> out.add(map("route", route,
                    "requests_per_s", round(r.requestsPerSecond()), "errors_per_s", round(r.errorsPerSecond()),
                    "p99_us", r.p99Micros() < 0 ? null : r.p99Micros())));
        }
        return out;
    }

    private List<Object> changes() {
        List<Object> out = new ArrayList<>();
        for (MasterChange c : failovers.newestFirst()) {
            out.add(map("time_ms", c.atMillis(), "from", c.from().toString(), "to", c.to().toString(),
                    "how", c.how(), "write_pause_us", c.writePauseMicros()));
        }
        return out;
    }

    /** Column-wise, one value per sample, for the charts: a series absent from a sample is null there. */
    private static Map<String, Object> history(List<Sample> history) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time_ms", history.stream().map(Sample::atMillis).toList());
        out.put("requests_per_s", series(history, Sample::routes, r -> round(r.requestsPerSecond())));
        out.put("errors_per_s", series(history, Sample::routes, r -> round(r.errorsPerSecond())));
        out.put("p99_us", series(history, Sample::routes, r -> r.p99Micros() < 0 ? null : r.p99Micros()));
        out.put("lag_bytes", series(history, Sample::nodes, Sample.NodeFigures::lagBytes));
        return out;
    }

    private static <T> Map<String, List<Object>> series(List<Sample> history,
                                                        Function<Sample, Map<String, T>> part,
                                                        Function<T, Object> value) {
        TreeSet<String> names = new TreeSet<>();
        history.forEach(s -> names.addAll(part.apply(s).keySet()));
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (String name : names) {
            List<Object> values = new ArrayList<>(history.size());
            for (Sample s : history) {
                T figures = part.apply(s).get(name);
                values.add(figures == null ? null : value.apply(figures));
            }
            out.put(name, values);
        }
        return out;
    }

    /** STATUS's {@code key:value} lines of whoever decides the topology (the sentinels), or null when none. */
    private static Map<String, Object> keyValues(String lines) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String line : lines.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static double round(double perSecond) {
        return Math.round(perSecond * 10) / 10.0;
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }
}
