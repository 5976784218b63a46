package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.FakeDriverJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code load} into Snowflake: without its driver it exits 2 (Airflow and Kubernetes do not retry it) naming
 * the driver's Maven coordinates; with a driver jar in {@code lib/ext/} beside the application jar, the
 * packaged jar run as {@code java -jar} finds it. The job's S3 destination points at a closed local port:
 * no published day means nothing is read from it.
 */
class WarehouseDriverIntegrationTests {

    @TempDir
    Path tmp;
    ExportWorkspace ws;

    @BeforeEach
    void setUp() throws IOException {
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db") + ";WRITE_DELAY=0"))
                .job("http://127.0.0.1:9", "UTC", ExportWorkspace.serviceAccountAuth());
        String job = Files.readString(ws.jobFile);
        job = job.substring(0, job.indexOf("destination:")) + "destination:\n  uri: s3://bucket/raw\n  s3:\n"
                + "    region: us-east-1\n    endpoint: http://127.0.0.1:9\n    pathStyleAccess: true\n"
                + String.join("\n", FakeDriverJar.warehouseLines()) + "\n";
        Files.writeString(ws.jobFile, job);
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
    }

    @Test
    void aMissingDriverExits2NamingItsMavenCoordinates() {
        int code = ws.run("load", "--job", ws.jobFile.toString());

        assertThat(code).as(ws.lastErr).isEqualTo(2);
        assertThat(ws.lastErr).contains("net.snowflake:snowflake-jdbc").contains("MIXPANEL_PIPELINES_CLASSPATH");
    }

    @Test
    void javaDashJarFindsADriverJarInLibExtBesideTheApplicationJar() throws Exception {
        Path app = tmp.resolve("app");
        Files.createDirectories(app.resolve("lib"));
        Files.copy(Path.of("target/mixpanel-pipelines.jar"), app.resolve("mixpanel-pipelines.jar"));
        try (Stream<Path> libs = Files.list(Path.of("target/lib"))) {
            for (Path lib : libs.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.createSymbolicLink(app.resolve("lib").resolve(lib.getFileName()), lib.toAbsolutePath());
            }
        }

        // one child JVM only (a start costs seconds on a busy machine): the missing case is the test above
        FakeDriverJar.build(tmp, app.resolve("lib/ext/fake-snowflake-jdbc.jar"));
        Result found = javaJar(app, "found");
        assertThat(found.code).as(found.err).isZero();
        assertThat(found.out).contains("0 day(s) loaded into");
    }

    private record Result(int code, String out, String err) {
    }

    private Result javaJar(Path app, String name) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", app.resolve("mixpanel-pipelines.jar").toString(), "load", "--job", ws.jobFile.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
                .redirectOutput(tmp.resolve(name + ".out").toFile()).redirectError(tmp.resolve(name + ".err").toFile());
        pb.environment().putAll(ws.env);
        pb.environment().remove("MIXPANEL_PIPELINES_CLASSPATH");
        pb.environment().put("SPRING_DATASOURCE_URL", "jdbc:h2:file:" + tmp.resolve("state/db") + ";WRITE_DELAY=0");
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(tmp.resolve(name + ".out")), Files.readString(tmp.resolve(name + ".err")));
    }
}
