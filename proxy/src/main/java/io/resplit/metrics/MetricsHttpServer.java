package io.resplit.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics endpoint: {@code /metrics} (Prometheus text format), {@code /health} (200 while the process runs)
 * and {@code /ready} (200 while a master is reachable and clients are accepted, else 503), for Prometheus and
 * for load balancers and Kubernetes probes; and the pages others add with {@link #page} (the status page). The
 * JDK's own HTTP server on one thread: scrapes and page loads are rare.
 */
public final class MetricsHttpServer {
    private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);

    private final HttpServer server;
    private final List<String> pages = new ArrayList<>();

    public MetricsHttpServer(String host, int port, ProxyMetrics metrics, BooleanSupplier ready) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape()));
        server.createContext("/health", ex -> respond(ex, 200, "text/plain", "OK\n"));
        server.createContext("/ready", ex -> {
            boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain", ok ? "READY\n" : "NOT READY: no reachable master\n");
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "resplit-metrics-http");
            t.setDaemon(true);
            return t;
        }));
    }

    /**
     * Serves {@code body} at exactly {@code path} (other paths below it get 404: "/" would match them all), with
     * {@code headers} added. For pages of the proxy's own (the status page); call before {@link #start}.
     */
    public void page(String path, String type, Map<String, String> headers, Supplier<byte[]> body) {
        pages.add(path);
        server.createContext(path, ex -> {
            if (!ex.getRequestURI().getPath().equals(path)) {
                respond(ex, 404, "text/plain", "not found\n");
                return;
            }
            headers.forEach(ex.getResponseHeaders()::set);
            respond(ex, 200, type, body.get());
        });
    }

    public void start() {
        server.start();
        log.info("metrics on http://{}:{}/metrics (also /health, /ready{})", server.getAddress().getHostString(),
                server.getAddress().getPort(), pages.stream().map(p -> ", " + p).reduce("", String::concat));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        server.stop(0);
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        respond(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
