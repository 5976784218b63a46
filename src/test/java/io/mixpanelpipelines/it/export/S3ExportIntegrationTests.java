package io.mixpanelpipelines.it.export;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.IdentityAssertions;
import io.mixpanelpipelines.support.ParquetAssertions;

import io.mixpanelpipelines.support.ExportWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.storage.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The export command to an {@code s3://} destination, end to end: the simulator over real HTTP, S3Proxy
 * as the S3 server (endpoint override, path-style access), credentials from the AWS default chain, and
 * DuckDB reading back a copy of every object in the bucket.
 */
class S3ExportIntegrationTests {

    static final LocalDate D1 = LocalDate.parse("2026-01-01");
    static final LocalDate D2 = LocalDate.parse("2026-01-02");

    @TempDir
    Path tmp;
    MixpanelSimulator sim;
    ExportWorkspace ws;
    S3ProxyServer server;
    String bucket;

    @BeforeEach
    void setUp() throws Exception {
        server = S3ProxyServer.get();
        bucket = "archive-" + UUID.randomUUID().toString().substring(0, 8);
        // the AWS default credentials chain: system properties come first, then AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        sim = AbstractExportIntegrationTests.simulator(ZoneId.of("UTC")).build().start(0);
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url",
                StateStoreLocation.h2Url(tmp.resolve("state"))))
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "partSize: 256KB");
        ws.env.put("IT_SA_USER", AbstractExportIntegrationTests.USER);
        ws.env.put("IT_SA_SECRET", AbstractExportIntegrationTests.SECRET);
    }

    @AfterEach
    void tearDown() {
        sim.close();
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    private void destination(String uri) throws Exception {
        String job = Files.readString(ws.jobFile);
        job = job.substring(0, job.indexOf("destination:")) + "destination:\n  uri: " + uri + "\n  s3:\n"
                + "    region: us-east-1\n    endpoint: " + server.endpoint() + "\n    pathStyleAccess: true\n    partSizeMb: 5\n";
        Files.writeString(ws.jobFile, job);
    }

    @Test
    void anExportToS3LandsExactlyTheServedRowsAndTheirManifests() throws Exception {
        server.createBucket(bucket);
        destination("s3://" + bucket + "/mixpanel/raw");

        int code = ws.export("2026-01-01", "2026-01-02");

        assertThat(code).as(ws.lastErr).isZero();
        Path copy = download("mixpanel/raw/");
        Path events = copy.resolve("mixpanel/raw/123456/events");
        Map<LocalDate, List<String>> served = new LinkedHashMap<>();
        served.put(D1, sim.expectedLines(D1, true));
        served.put(D2, sim.expectedLines(D2, true));
        ParquetAssertions.assertExactly(events, served);
        ParquetAssertions.assertFoldersMatchManifests(events, Set.of(D1, D2));
        assertThat(copy.resolve("mixpanel/raw/123456/_staging")).as("staging is emptied").doesNotExist();
        IdentityAssertions.assertSimplifiedMappingsOf(copy.resolve("mixpanel/raw/123456"), D1);
        IdentityAssertions.assertSimplifiedMappingsOf(copy.resolve("mixpanel/raw/123456"), D2);
        assertThat(sim.requestCount()).as("two consecutive days, one request").isEqualTo(1);

        // a rerun replaces a day: the new parts, then the manifest, then the old parts are gone
        assertThat(ws.run("rerun", "--job", ws.jobFile.toString(), "--partition", "2026-01-02")).as(ws.lastErr).isZero();
        Path again = download("mixpanel/raw/");
        ParquetAssertions.assertExactly(again.resolve("mixpanel/raw/123456/events"), served);
        ParquetAssertions.assertFoldersMatchManifests(again.resolve("mixpanel/raw/123456/events"), Set.of(D1, D2));
        IdentityAssertions.assertSimplifiedMappingsOf(again.resolve("mixpanel/raw/123456"), D2);
    }

    @Test
    void aMissingBucketExitsTwoNamingItBeforeAnyMixpanelRequest() throws Exception {
        destination("s3://no-such-bucket-" + bucket + "/raw");

        int code = ws.export("2026-01-01", "2026-01-01");

        assertThat(code).isEqualTo(2);
        assertThat(ws.lastErr).contains("no-such-bucket-" + bucket).contains("NoSuchBucket");
        assertThat(sim.requestCount()).isZero();
    }

    @Test
    void theCommandLineTakesItsS3CredentialsFromTheEnvironmentLikeAUser() throws Exception {
        server.createBucket(bucket);
        destination("s3://" + bucket + "/mixpanel/raw");
        Map<String, String> env = new java.util.HashMap<>(ws.env);
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("AWS_REGION", "us-east-1");

        ChildJvm child = ChildJvm.start(tmp, "s3-child", env, List.of("spring.datasource.url=jdbc:h2:file:"
                + tmp.resolve("child-state/db") + ";WRITE_DELAY=0"), "export", "--job", ws.jobFile.toString(),
                "--from", "2026-01-01", "--to", "2026-01-02");

        assertThat(child.process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(child.process.exitValue()).as(child.err()).isZero();
        assertThat(child.err() + child.out()).doesNotContain(S3ProxyServer.SECRET_KEY);
        Path events = download("mixpanel/raw/").resolve("mixpanel/raw/123456/events");
        Map<LocalDate, List<String>> served = new LinkedHashMap<>();
        served.put(D1, sim.expectedLines(D1, true));
        served.put(D2, sim.expectedLines(D2, true));
        ParquetAssertions.assertExactly(events, served);
        ParquetAssertions.assertFoldersMatchManifests(events, Set.of(D1, D2));
    }

    /** Copies every object under {@code prefix} to a fresh local folder, keeping keys as paths. */
    private Path download(String prefix) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "bucket-");
        try (S3Client c = S3ProxyServer.client(server.endpoint())) {
            for (S3Object o : c.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
                if (o.key().endsWith("/")) {
                    continue;
                }
                Path target = dir.resolve(o.key());
                Files.createDirectories(target.getParent());
                c.getObject(r -> r.bucket(bucket).key(o.key()), target);
            }
        }
        return dir;
    }
}
