package io.resplit.status;

import io.resplit.metrics.MetricsHttpServer;
import io.resplit.topology.MasterChange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The status page on the metrics port: {@code /} (one self-contained HTML file that fetches
 * {@code status.json} every few seconds) and {@code /status.json}. Owns the sampler's thread.
 */
public final class StatusPage implements AutoCloseable {
    /** Every 2 s for 10 minutes: enough to see a failover and its effect, a few kilobytes of memory. */
    static final long SAMPLE_INTERVAL_MS = 2000;
    static final int SAMPLES_KEPT = 300;
    private static final int FAILOVERS_KEPT = 20;

    // the page may run its own inline script and style and talk to this server, and nothing else: it must work
    // on a machine without internet, and a value shown on it can never load anything
    private static final Map<String, String> PAGE_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                    + "style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
            "Cache-Control", "no-store");
    private static final Map<String, String> JSON_HEADERS = Map.of("Cache-Control", "no-store");

    private final byte[] html = resource("status.html");
    private final FailoverHistory failovers = new FailoverHistory(FAILOVERS_KEPT);
    private final SampleRing<Sample> samples = new SampleRing<>(SAMPLES_KEPT);
    private final StatusSampler sampler;
    private final StatusDocument document;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "resplit-status-sampler");
        t.setDaemon(true);
        return t;
    });

    public StatusPage(StatusSources sources) {
        this.sampler = new StatusSampler(sources, samples);
        this.document = new StatusDocument(sources, samples, failovers, SAMPLE_INTERVAL_MS, SAMPLES_KEPT);
    }

    /** Adds {@code /} and {@code /status.json} to the metrics server (before it starts). */
    public void serveOn(MetricsHttpServer http) {
        http.page("/", "text/html; charset=utf-8", PAGE_HEADERS, () -> html);
        http.page("/status.json", "application/json", JSON_HEADERS,
                () -> document.json().getBytes(StandardCharsets.UTF_8));
    }

    /** For {@code FailoverCoordinator.onMasterChanged}: the history the page shows. */
    public void masterChanged(MasterChange change) {
        failovers.add(change);
    }

    /** Starts sampling: the first run sets the baseline, the next one gives the first sample. */
    public void start() {
        timer.scheduleAtFixedRate(sampler, 0, SAMPLE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + StatusPage.class);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
