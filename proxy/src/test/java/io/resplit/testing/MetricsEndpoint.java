package io.resplit.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests to a proxy's metrics port ({@code /metrics}, {@code /health}, {@code /ready}) on 127.0.0.1. */
public final class MetricsEndpoint {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MetricsEndpoint() {
    }

    public static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
