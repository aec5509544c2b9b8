package io.resplit.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.config.ConfigParser;
import io.resplit.config.HostPort;
import io.resplit.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Docker and monitoring files, checked as far as this machine allows without a Docker engine: the compose
 * topology is the classic one (requirepass + replicaof + masterauth), resplit's command line is a valid
 * configuration that points at it, Prometheus scrapes the port resplit serves metrics on, every path the
 * files mount or copy exists, the Dockerfile builds in two stages and runs as a non-root user with a health
 * check, and every metric the Grafana dashboard queries is one resplit exports.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DOCKER = ROOT.resolve("docker");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws IOException {
        return (Map<String, Object>) new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        return ((List<Object>) o).stream().map(String::valueOf).toList();
    }

    /** The value after {@code flag} in a redis-server or resplit command line. */
    private static String after(List<String> command, String flag) {
        int i = command.indexOf(flag);
        assertTrue(i >= 0 && i + 1 < command.size(), flag + " in " + command);
        return command.get(i + 1);
    }

    private static Map<String, Object> services() throws IOException {
        return map(yaml(DOCKER.resolve("compose.yaml")).get("services"));
    }

    @Test
    void composeRunsTheClassicMasterAndTwoReplicasWithPasswords() throws IOException {
        Map<String, Object> services = services();
        assertEquals(Set.of("redis-master", "redis-replica-1", "redis-replica-2", "resplit", "prometheus", "grafana"),
                services.keySet());
        List<String> master = strings(map(services.get("redis-master")).get("command"));
        String password = after(master, "--requirepass");
        assertEquals(password, after(master, "--masterauth"), "the master can become a replica after a failover");
        for (String name : List.of("redis-replica-1", "redis-replica-2")) {
            List<String> replica = strings(map(services.get(name)).get("command"));
            assertEquals("redis-master", after(replica, "--replicaof"), name);
            assertEquals("6379", replica.get(replica.indexOf("--replicaof") + 2), name);
            assertEquals(password, after(replica, "--masterauth"), name);
            assertEquals(password, after(replica, "--requirepass"), name);
        }
    }

    @Test
    void resplitsComposeCommandIsAValidConfigurationForThatTopology() throws IOException {
        Map<String, Object> services = services();
        Map<String, Object> resplit = map(services.get("resplit"));
        List<String> args = new ArrayList<>();
        args.add(ROOT.resolve("config/resplit.conf").toString()); // the image's /etc/resplit/resplit.conf
        args.addAll(strings(resplit.get("command")));
        ProxyConfig c = ConfigParser.fromArgs(args.toArray(String[]::new));
        assertEquals(new HostPort("redis-master", 6379), c.master());
        assertEquals(List.of(new HostPort("redis-replica-1", 6379), new HostPort("redis-replica-2", 6379)),
                c.replicas());
        String password = after(strings(map(services.get("redis-master")).get("command")), "--requirepass");
        assertEquals(password, c.masterauth());
        assertTrue(c.clientAuthRequired());
        assertEquals(List.of("0.0.0.0"), c.bind());
        List<String> ports = strings(resplit.get("ports"));
        assertTrue(ports.contains(c.port() + ":" + c.port()), ports.toString());
        assertTrue(c.metricsPort() > 0 && ports.contains(c.metricsPort() + ":" + c.metricsPort()), ports.toString());

        Map<String, Object> build = map(resplit.get("build"));
        Path context = DOCKER.resolve(String.valueOf(build.get("context")));
        assertTrue(Files.isRegularFile(context.resolve(String.valueOf(build.get("dockerfile")))), build.toString());

        Map<String, Object> prometheus = yaml(DOCKER.resolve("prometheus.yml"));
        Map<String, Object> job = map(((List<Object>) prometheus.get("scrape_configs")).get(0));
        assertEquals("/metrics", job.get("metrics_path"));
        List<String> targets = strings(map(((List<Object>) job.get("static_configs")).get(0)).get("targets"));
        assertEquals(List.of("resplit:" + c.metricsPort()), targets);
    }

    @Test
    void everyMountedPathExists() throws IOException {
        for (Map.Entry<String, Object> service : services().entrySet()) {
            Object volumes = map(service.getValue()).get("volumes");
            if (volumes == null) {
                continue;
            }
            for (String volume : strings(volumes)) {
                String host = volume.split(":")[0];
                assertTrue(Files.exists(DOCKER.resolve(host)), service.getKey() + " mounts " + host);
            }
        }
        Map<String, Object> grafana = map(services().get("grafana"));
        String home = String.valueOf(map(grafana.get("environment")).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"));
        assertTrue(Files.isRegularFile(DOCKER.resolve("grafana/dashboards").resolve(Path.of(home).getFileName())),
                home);
    }

    @Test
    void dockerfileBuildsInTwoStagesAndRunsTheJarAsANonRootUserWithAHealthCheck() throws IOException {
        List<String> lines = dockerfileInstructions();
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(2, from.size(), from.toString());
        assertTrue(from.get(0).endsWith(" AS build"), from.get(0));
        for (String copy : lines.stream().filter(l -> l.startsWith("COPY ") && !l.contains("--from=")).toList()) {
            String[] words = copy.split("\\s+");
            for (int i = 1; i < words.length - 1; i++) {
                assertTrue(Files.exists(ROOT.resolve(words[i])), copy);
            }
        }
        String jarCopy = lines.stream().filter(l -> l.startsWith("COPY --from=build")).findFirst().orElseThrow();
        assertTrue(jarCopy.contains("/src/proxy/target/resplit.jar"), jarCopy);
        assertTrue(Files.readString(ROOT.resolve("proxy/pom.xml")).contains("<finalName>resplit</finalName>"),
                "the Dockerfile copies proxy/target/resplit.jar");
        String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        assertFalse(user.equals("USER root") || user.equals("USER 0"), user);
        assertTrue(lines.indexOf(user) > lines.indexOf(from.get(1)), "USER is set in the runtime stage");

        String cmd = lines.stream().filter(l -> l.startsWith("CMD ")).findFirst().orElseThrow();
        List<String> args = new ArrayList<>();
        args.add(ROOT.resolve("config/resplit.conf").toString());
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(cmd);
        while (quoted.find()) {
            args.add(quoted.group(1));
        }
        ProxyConfig c = ConfigParser.fromArgs(args.toArray(String[]::new)); // the default CMD is a valid config
        String health = lines.stream().filter(l -> l.startsWith("HEALTHCHECK ")).findFirst().orElseThrow();
        assertTrue(health.contains("/dev/tcp/127.0.0.1/" + c.metricsPort()) && health.contains("/health"), health);
        String expose = lines.stream().filter(l -> l.startsWith("EXPOSE ")).findFirst().orElseThrow();
        assertTrue(expose.contains(" " + c.port()) && expose.contains(" " + c.metricsPort()), expose);
        String entry = lines.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        assertTrue(entry.contains("\"/opt/resplit/resplit.jar\"") && jarCopy.endsWith("/opt/resplit/resplit.jar"),
                entry);
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws IOException {
        String dashboard = Files.readString(DOCKER.resolve("grafana/dashboards/resplit.json"));
        Set<String> queried = new TreeSet<>();
        Matcher m = Pattern.compile("\\b((?:resplit|jvm|process|system)_[a-z_]+)").matcher(dashboard);
        while (m.find()) {
            queried.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
        }
        assertFalse(queried.isEmpty());
        String exported = io.resplit.metrics.EveryMeter.registered().scrape();
        for (String name : queried) {
            assertTrue(Pattern.compile("(?m)^# TYPE " + name + " ").matcher(exported).find(),
                    "the dashboard queries " + name + ", which resplit does not export");
        }
        Map<String, Object> datasources = yaml(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yaml"));
        String uid = String.valueOf(map(((List<Object>) datasources.get("datasources")).get(0)).get("uid"));
        Matcher uids = Pattern.compile("\"datasource\"\\s*:\\s*\\{[^}]*\"uid\"\\s*:\\s*\"([^\"]+)\"").matcher(dashboard);
        int panels = 0;
        while (uids.find()) {
            panels++;
            String used = uids.group(1);
            assertTrue(used.equals(uid) || used.startsWith("$") || used.equals("-- Grafana --"), // built-in annotations
                    "datasource uid " + used);
        }
        assertTrue(panels > 0, "the dashboard names its datasource");
    }

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    private static List<String> dockerfileInstructions() throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(DOCKER.resolve("Dockerfile"))) {
            String line = raw.strip();
            if (line.startsWith("#") || line.isEmpty() && current.isEmpty()) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            out.add(current.toString().replaceAll("\\s+", " ").strip());
            current.setLength(0);
        }
        return out;
    }
}
