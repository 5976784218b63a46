package io.mixpanelpipelines.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export} (with its load into DuckDB) pushes its run's metrics at its end to an OTLP endpoint: a JDK
 * HTTP server here, whose requests are decoded with the OpenTelemetry protobuf classes.
 */
class RunMetricsPushIntegrationTests {

    record Received(String contentType, String authorization, ExportMetricsServiceRequest body) {
    }

    @TempDir
    Path tmp;
    MixpanelSimulator sim;
    HttpServer collector;
    final List<Received> received = new CopyOnWriteArrayList<>();
    ExportWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        sim = MixpanelSimulator.builder().eventsPerDay(500).seed(3).projectId("123456").serviceAccount("u", "s").build().start(0);
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/metrics", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"), ExportMetricsServiceRequest.parseFrom(body)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db") + ";WRITE_DELAY=0"))
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
        Files.writeString(ws.jobFile, "warehouse:\n  type: duckdb\n  url: jdbc:duckdb:" + tmp.resolve("w.duckdb") + "\n  table: m.events\n",
                StandardOpenOption.APPEND);
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
    }

    @AfterEach
    void tearDown() {
        collector.stop(0);
        sim.close();
    }

    @Test
    void exportAndItsLoadPushTheirMetricsOnceEachWithTheSchedulersNames() {
        ws.env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort() + "/");
        ws.env.put("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20otlp-s3cr3t");
        ws.env.put("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test");
        long events = sim.expectedLines(LocalDate.parse("2026-01-01"), true).size() + sim.expectedLines(LocalDate.parse("2026-01-02"), true).size();

        assertThat(ws.export("2026-01-01", "2026-01-02")).as(ws.lastErr).isZero();

        assertThat(received).hasSize(2);
        assertThat(received).allSatisfy(r -> {
            assertThat(r.contentType()).isEqualTo("application/x-protobuf");
            assertThat(r.authorization()).isEqualTo("Bearer otlp-s3cr3t");
        });
        ResourceMetrics export = received.get(0).body().getResourceMetrics(0);
        assertThat(attributes(export.getResource().getAttributesList())).containsEntry("service.name", "mixpanel-pipelines")
                .containsEntry("mixpanel_pipelines.command", "export").containsEntry("deployment.environment", "test");
        Map<String, Metric> m = metrics(export);
        assertThat(m).containsKeys("mixpanel.pipelines.events.exported", "mixpanel.pipelines.bytes.exported",
                "mixpanel.pipelines.requests.sent", "mixpanel.pipelines.run.failures", "mixpanel.pipelines.budget.remaining",
                "mixpanel.pipelines.partitions", "mixpanel.pipelines.freshness", "mixpanel.pipelines.run.duration");
        NumberDataPoint exported = m.get("mixpanel.pipelines.events.exported").getSum().getDataPoints(0);
        assertThat(exported.getAsDouble()).isEqualTo(events);
        assertThat(attributes(exported.getAttributesList())).containsEntry("job", "it-events").containsEntry("project", "123456");
        assertThat(m.get("mixpanel.pipelines.requests.sent").getSum().getDataPoints(0).getAsDouble()).isPositive();
        assertThat(m.get("mixpanel.pipelines.partitions").getGauge().getDataPointsList())
                .filteredOn(p -> attributes(p.getAttributesList()).get("state").equals("published"))
                .singleElement().satisfies(p -> assertThat(p.getAsDouble()).isEqualTo(2));
        assertThat(m.get("mixpanel.pipelines.run.duration").getHistogram().getDataPointsList()).singleElement()
                .satisfies(p -> {
                    assertThat(p.getCount()).isEqualTo(1);
                    assertThat(attributes(p.getAttributesList())).containsEntry("outcome", "ok");
                });

        ResourceMetrics load = received.get(1).body().getResourceMetrics(0);
        assertThat(attributes(load.getResource().getAttributesList())).containsEntry("mixpanel_pipelines.command", "load");
        Map<String, Metric> l = metrics(load);
        assertThat(l.get("mixpanel.pipelines.rows.loaded").getSum().getDataPoints(0).getAsDouble()).isEqualTo(events);
        assertThat(l).containsKeys("mixpanel.pipelines.load.duration", "mixpanel.pipelines.load.failures", "mixpanel.pipelines.partitions");

        assertThat(ws.lastOut + ws.lastErr).doesNotContain("otlp-s3cr3t");
    }

    @Test
    void anExportWithPeoplePushesThePeopleFiguresInAPushOfTheirOwn() throws Exception {
        sim.close();
        sim = MixpanelSimulator.builder().eventsPerDay(50).profiles(2_500).projectId("123456").serviceAccount("u", "s").build().start(0);
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replaceAll("apiUrl: \\S+", "apiUrl: " + sim.baseUri())
                + "people: {}\n");
        ws.env.put("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics");

        assertThat(ws.run("export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-01", "--no-load"))
                .as(ws.lastOut + ws.lastErr).isZero();

        assertThat(received).as("the events' push, then the people's").hasSize(2);
        assertThat(metrics(received.get(0).body().getResourceMetrics(0))).doesNotContainKey("mixpanel.pipelines.people.pages.read");
        ResourceMetrics people = received.get(1).body().getResourceMetrics(0);
        assertThat(attributes(people.getResource().getAttributesList())).containsEntry("mixpanel_pipelines.command", "export");
        Map<String, Metric> m = metrics(people);
        assertThat(m).doesNotContainKey("mixpanel.pipelines.events.exported");
        long served = sim.engageRequests().stream().filter(r -> r.status() == 200).count();
        NumberDataPoint pages = m.get("mixpanel.pipelines.people.pages.read").getSum().getDataPoints(0);
        assertThat(pages.getAsDouble()).isEqualTo(served).isPositive();
        assertThat(attributes(pages.getAttributesList())).containsEntry("job", "it-events").containsEntry("project", "123456")
                .containsEntry("dataset", "people");
        assertThat(m.get("mixpanel.pipelines.people.profiles.read").getSum().getDataPoints(0).getAsDouble()).isEqualTo(2_500);
        assertThat(m.get("mixpanel.pipelines.people.requests.sent").getSum().getDataPoints(0).getAsDouble())
                .isEqualTo(sim.engageRequests().size());
        assertThat(m.get("mixpanel.pipelines.people.snapshots").getSum().getDataPointsList()).singleElement()
                .satisfies(p -> {
                    assertThat(p.getAsDouble()).isEqualTo(1);
                    assertThat(attributes(p.getAttributesList())).containsEntry("outcome", "published");
                });
        assertThat(m.get("mixpanel.pipelines.people.budget.remaining").getGauge().getDataPoints(0).getAsDouble())
                .isEqualTo(50 - sim.engageRequests().size());
    }

    @Test
    void withoutAnEndpointNothingIsPushed() {
        assertThat(RunMetricsPush.from(Map.of("OTEL_SERVICE_NAME", "x"))).isNull();
        assertThat(ws.export("2026-01-01", "2026-01-01")).as(ws.lastErr).isZero();
        assertThat(received).isEmpty();
    }

    private static Map<String, Metric> metrics(ResourceMetrics rm) {
        Map<String, Metric> m = new HashMap<>();
        rm.getScopeMetricsList().forEach(s -> s.getMetricsList().forEach(x -> m.put(x.getName(), x)));
        return m;
    }

    private static Map<String, String> attributes(List<KeyValue> kvs) {
        Map<String, String> m = new HashMap<>();
        kvs.forEach(kv -> m.put(kv.getKey(), kv.getValue().getStringValue()));
        return m;
    }
}
