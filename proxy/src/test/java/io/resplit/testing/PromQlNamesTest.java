package io.resplit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlNamesTest {
    @Test
    void namesAreKeptWithTheirSuffixesAndNothingElse() {
        assertEquals(Set.of("resplit_request_duration_seconds_bucket"), PromQlNames.of(
                "histogram_quantile(0.99, sum by (le, route) (rate(resplit_request_duration_seconds_bucket"
                        + "{instance=~\"$instance\",route!=\"local\"}[$__rate_interval])))"));
        assertEquals(Set.of("resplit_commands_total"), PromQlNames.of("sum(rate(resplit_commands_total"
                + "{route=\"replica\"}[1m])) / sum(rate(resplit_commands_total{route=~\"replica|master\"}[1m]))"));
        assertEquals(Set.of("resplit_backend_up", "resplit_backend_master"), PromQlNames.of(
                "min by (node) (resplit_backend_up) * on (node) group_left resplit_backend_master offset 5m"));
        assertEquals(Set.of("jvm_memory_used_bytes"), PromQlNames.of("jvm_memory_used_bytes / 1e6 > bool 2"));
        assertEquals(Set.of("resplit_clients_connected"),
                PromQlNames.of("label_values(resplit_clients_connected, instance)"));
        assertEquals(Set.of("a_b", "c"), PromQlNames.of("label_replace(a_b, \"x\", \"$1\", \"y\", \"(.*)\") or c"));
    }

    @Test
    void sampleNamesComeFromTheSampleLinesNotTheComments() {
        String text = "# HELP resplit_commands_total Commands\n# TYPE resplit_commands_total counter\n"
                + "resplit_commands_total{command=\"get\",route=\"replica\",} 3.0\n"
                + "resplit_failover_write_pause_seconds_count 0.0\n";
        assertEquals(Set.of("resplit_commands_total", "resplit_failover_write_pause_seconds_count"),
                PromQlNames.sampleNames(text));
    }
}
