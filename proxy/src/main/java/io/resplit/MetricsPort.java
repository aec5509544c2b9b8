package io.resplit;

import io.resplit.config.ProxyConfig;
import io.resplit.metrics.MetricsHttpServer;
import io.resplit.metrics.ProxyMetrics;
import io.resplit.server.ProxyContext;
import io.resplit.status.StatusPage;
import io.resplit.status.StatusSources;
import io.resplit.topology.FailoverCoordinator;
import java.util.Locale;

/** What the {@code metrics-port} serves: {@code /metrics}, {@code /health}, {@code /ready} and the status page. */
final class MetricsPort implements AutoCloseable {
    private final MetricsHttpServer http;
    private final StatusPage statusPage;

    private MetricsPort(MetricsHttpServer http, StatusPage statusPage) {
        this.http = http;
        this.statusPage = statusPage;
    }

    /**
     * Opens the port and starts serving.
     *
     * @throws IllegalStateException when the port cannot be bound
     */
    static MetricsPort open(ProxyConfig config, ProxyMetrics metrics, ProxyContext context,
                            FailoverCoordinator failover) {
        MetricsHttpServer http;
        try {
            http = new MetricsHttpServer(config.metricsBind(), config.metricsPort(), metrics,
                    () -> context.topology().current().master().isUp());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not open the metrics port: " + e.getMessage(), e);
        }
        StatusPage statusPage = new StatusPage(new StatusSources(context.topology(), context.writeGate(), failover,
                metrics, context::connectedClients, metrics::clientsRefused,
                () -> context.runtime().config().readFrom().name().toLowerCase(Locale.ROOT)));
        failover.onMasterChanged(statusPage::masterChanged);
        statusPage.serveOn(http);
        http.start();
        statusPage.start();
        return new MetricsPort(http, statusPage);
    }

    /** The port bound (the one the config named, or the one chosen for port 0 in tests). */
    int port() {
        return http.port();
    }

    @Override
    public void close() {
        http.stop();
        statusPage.close();
    }
}
