package io.mixpanelpipelines.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.gcs.GcsSettings;
import io.mixpanelpipelines.storage.s3.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobDefinitionLoaderTests {

    private final JobDefinitionLoader loader = new JobDefinitionLoader();

    /** A minimal valid job; {@code %MIXPANEL%}, {@code %AUTH%}, {@code %EXPORT%} and {@code %TOP%} take extra lines. */
    private static final String TEMPLATE = """
            name: t1
            mixpanel:
              projectId: "42"
              %MIXPANEL%
              auth:
                projectSecretEnv: MP_SECRET
                %AUTH%
            export:
              startDate: 2026-01-01
              %EXPORT%
            destination:
              uri: out
            %TOP%
            """;

    private static String job(String mixpanel, String auth, String export, String top) {
        return TEMPLATE.replace("%MIXPANEL%", mixpanel).replace("%AUTH%", auth).replace("%EXPORT%", export)
                .replace("%TOP%", top);
    }

    private static String withExport(String line) {
        return job("", "", line, "");
    }

    private static String withMixpanel(String line) {
        return job(line, "", "", "");
    }

    private String errorOf(String yaml) {
        try {
            loader.parse(yaml);
        } catch (InvalidJobException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected InvalidJobException for:\n" + yaml);
    }

    // --- valid files ---

    @Test
    void minimalJobHasEveryDefault() {
        JobDefinition def = loader.parse(job("", "", "", ""));

        assertThat(def.name()).isEqualTo("t1");
        assertThat(def.simulator()).isNull();
        JobDefinition.Mixpanel mp = def.mixpanel();
        assertThat(mp.projectId()).isEqualTo("42");
        assertThat(mp.region()).isEqualTo(Region.US);
        assertThat(mp.apiUrl()).isEqualTo(URI.create("https://data.mixpanel.com"));
        assertThat(mp.timezone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(mp.auth().isServiceAccount()).isFalse();
        assertThat(mp.auth().projectSecret())
                .isEqualTo(new SecretSource("mixpanel.auth.projectSecretEnv", "MP_SECRET", null));
        assertThat(mp.auth().serviceAccountUsername()).isNull();
        assertThat(mp.auth().serviceAccountSecret()).isNull();
        JobDefinition.Export ex = def.export();
        assertThat(ex.startDate()).isEqualTo(LocalDate.of(2026, 1, 1));
        assertThat(ex.startDaysAgo()).isNull();
        assertThat(ex.maxRejectedLines()).isZero();
        assertThat(ex.partSizeBytes()).isEqualTo(128L * 1024 * 1024);
        assertThat(ex.parallelism()).isEqualTo(2);
        assertThat(ex.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ex.readTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(ex.maxAttempts()).isEqualTo(5);
        assertThat(ex.initialBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ex.maxBackoff()).isEqualTo(Duration.ofMinutes(2));
        assertThat(ex.timeInMs()).isTrue();
        assertThat(ex.codec()).isEqualTo(ParquetCodec.ZSTD);
        assertThat(ex.spoolDir()).isEqualTo(Path.of("data/spool").toAbsolutePath().normalize());
        assertThat(ex.events()).isEmpty();
        assertThat(ex.firstDay(LocalDate.of(2026, 5, 5))).isEqualTo(LocalDate.of(2026, 1, 1));
        assertThat(def.destination().uri()).isEqualTo(Location.of(Path.of("out")));
        assertThat(ex.schedule()).isNull();
        assertThat(ex.remoteWorkers()).isFalse();
        assertThat(ex.spoolUri()).isNull();
        assertThat(ex.workerHeartbeat()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ex.requestsPerHour()).isEqualTo(50);
        assertThat(ex.requestsPerSecond()).isEqualTo(3);
        assertThat(ex.maxConcurrentRequests()).isEqualTo(4);
        assertThat(ex.lookbackDays()).isEqualTo(5);
        assertThat(ex.lookbackInterval()).isEqualTo(Duration.ofHours(12));
        assertThat(ex.daysPerRequest()).as("adaptive").isNull();
        assertThat(ex.maxRequestBytes()).isEqualTo(2L << 30);
    }

    @Test
    void scheduleTakesFiveOrSixCronFields() {
        assertThat(loader.parse(withExport("schedule: '30 * * * *'")).export().schedule()).isEqualTo("0 30 * * * *");
        assertThat(loader.parse(withExport("schedule: '*/10 * * * * *'")).export().schedule()).isEqualTo("*/10 * * * * *");
        assertThat(loader.parse(withExport("schedule: '@daily'")).export().schedule()).isEqualTo("@daily");
        assertThat(errorOf(withExport("schedule: 'every hour'"))).contains("export.schedule: 'every hour' is not a cron expression");
        assertThat(errorOf(withExport("schedule: '61 * * * *'"))).contains("export.schedule: '61 * * * *' is not a cron expression");
    }

    @Test
    void everyKeySetToANonDefaultValue() {
        String yaml = """
                name: acme.events-2_x
                mixpanel:
                  projectId: 123456
                  region: EU
                  apiUrl: http://localhost:8080/proxy
                  timezone: America/New_York
                  auth:
                    serviceAccount:
                      usernameFile: secrets/user
                      secretEnv: SA_SECRET
                export:
                  startDate: -30d
                  maxRejectedLines: 10
                  partSize: 512KB
                  parallelism: 8
                  connectTimeout: 5s
                  readTimeout: 1h
                  maxAttempts: 9
                  initialBackoff: 500ms
                  maxBackoff: 30s
                  timeInMs: false
                  compression: snappy
                  spoolDir: /tmp/spool/../spool2
                  events: ["Signed up", "Logged in"]
                destination:
                  uri: file:///var/lib/mp
                simulator:
                  eventsPerDay: 7
                  seed: -3
                """;

        JobDefinition def = loader.parse(yaml);

        assertThat(def.name()).isEqualTo("acme.events-2_x");
        assertThat(def.mixpanel().projectId()).isEqualTo("123456");
        assertThat(def.mixpanel().region()).isEqualTo(Region.EU);
        assertThat(def.mixpanel().apiUrl()).isEqualTo(URI.create("http://localhost:8080/proxy"));
        assertThat(def.mixpanel().timezone()).isEqualTo(ZoneId.of("America/New_York"));
        JobDefinition.Auth auth = def.mixpanel().auth();
        assertThat(auth.isServiceAccount()).isTrue();
        assertThat(auth.serviceAccountUsername()).isEqualTo(new SecretSource("mixpanel.auth.serviceAccount.usernameFile",
                null, Path.of("secrets/user").toAbsolutePath()));
        assertThat(auth.serviceAccountSecret())
                .isEqualTo(new SecretSource("mixpanel.auth.serviceAccount.secretEnv", "SA_SECRET", null));
        assertThat(auth.projectSecret()).isNull();
        JobDefinition.Export ex = def.export();
        assertThat(ex.startDate()).isNull();
        assertThat(ex.startDaysAgo()).isEqualTo(30);
        assertThat(ex.firstDay(LocalDate.of(2026, 3, 1))).isEqualTo(LocalDate.of(2026, 1, 30));
        assertThat(ex.maxRejectedLines()).isEqualTo(10);
        assertThat(ex.partSizeBytes()).isEqualTo(512 * 1024);
        assertThat(ex.parallelism()).isEqualTo(8);
        assertThat(ex.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ex.readTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(ex.maxAttempts()).isEqualTo(9);
        assertThat(ex.initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(ex.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ex.timeInMs()).isFalse();
        assertThat(ex.codec()).isEqualTo(ParquetCodec.SNAPPY);
        assertThat(ex.spoolDir()).isEqualTo(Path.of("/tmp/spool2"));
        assertThat(ex.events()).containsExactly("Signed up", "Logged in");
        assertThat(def.destination().uri()).isEqualTo(Location.of("file:///var/lib/mp"));
        assertThat(def.simulator()).isEqualTo(new JobDefinition.Simulator(7, -3));
    }

    @Test
    void regionPicksItsExportHost() {
        assertThat(loader.parse(withMixpanel("region: in")).mixpanel().apiUrl())
                .isEqualTo(URI.create("https://data-in.mixpanel.com"));
        assertThat(loader.parse(withMixpanel("region: eu")).mixpanel().apiUrl())
                .isEqualTo(URI.create("https://data-eu.mixpanel.com"));
    }

    @Test
    void exampleJobFileLoads() {
        JobDefinition def = loader.load(Path.of("jobs/example.yaml"));

        assertThat(def.name()).isEqualTo("acme-events");
        assertThat(def.mixpanel().projectId()).isEqualTo("123456");
        assertThat(def.mixpanel().auth().serviceAccountUsername().env()).isEqualTo("MIXPANEL_SA_USERNAME");
        assertThat(def.mixpanel().auth().serviceAccountSecret().env()).isEqualTo("MIXPANEL_SA_SECRET");
        assertThat(def.export().startDate()).isEqualTo(LocalDate.of(2026, 1, 1));
        assertThat(def.destination().uri()).isEqualTo(Location.of("file:///var/lib/mixpanel"));
        assertThat(def.simulator()).isNull();
    }

    @Test
    void demoJobFileLoadsWithoutAuth() {
        JobDefinition def = loader.load(Path.of("jobs/demo.yaml"));

        assertThat(def.name()).isEqualTo("demo");
        assertThat(def.simulator()).isEqualTo(new JobDefinition.Simulator(20000, 42, 3000));
        assertThat(def.people()).isNotNull();
        assertThat(def.mixpanel().auth()).isNull();
        assertThat(def.export().startDaysAgo()).isEqualTo(7);
        assertThat(def.export().firstDay(LocalDate.of(2026, 1, 10))).isEqualTo(LocalDate.of(2026, 1, 3));
        assertThat(def.destination().uri()).isEqualTo(Location.of(Path.of("data/export")));
    }

    private static String withDestination(String lines) {
        return job("", "", "", "").replace("  uri: out\n", "  uri: out\n  " + lines + "\n");
    }

    @Test
    void objectStoreDestinationsAndTheirSettings() {
        JobDefinition def = loader.parse(job("", "", "", "").replace("  uri: out\n", """
                  uri: s3://my-bucket/mixpanel/raw
                  s3:
                    region: us-east-1
                    endpoint: http://127.0.0.1:9000
                    pathStyleAccess: true
                    partSizeMb: 32
                    sse: aws:kms
                    kmsKeyId: arn:aws:kms:us-east-1:1:key/k
                    storageClass: STANDARD_IA
                  gcs:
                    projectId: my-gcp-project
                    chunkSizeMb: 8
                    kmsKeyName: projects/p/locations/l/keyRings/r/cryptoKeys/k
                """));

        assertThat(def.destination().uri()).isEqualTo(Location.of("s3://my-bucket/mixpanel/raw"));
        assertThat(def.destination().s3()).isEqualTo(new S3Settings("us-east-1", URI.create("http://127.0.0.1:9000"), true,
                32L << 20, 2, "aws:kms", "arn:aws:kms:us-east-1:1:key/k", "STANDARD_IA"));
        assertThat(def.destination().gcs()).isEqualTo(new GcsSettings("my-gcp-project", 8 << 20,
                "projects/p/locations/l/keyRings/r/cryptoKeys/k"));
    }

    @Test
    void objectStoreSettingsDefaults() {
        JobDefinition def = loader.parse(job("", "", "", "").replace("uri: out", "uri: gs://bucket"));

        assertThat(def.destination().uri()).isEqualTo(Location.of("gs://bucket"));
        assertThat(def.destination().s3()).isEqualTo(new S3Settings(null, null, false, 16L << 20, 2, null, null, null));
        assertThat(def.destination().gcs()).isEqualTo(new GcsSettings(null, 16 << 20, null));
    }

    @Test
    void simulatorDefaults() {
        JobDefinition def = loader.parse(job("", "", "", "simulator: {}"));

        assertThat(def.simulator()).isEqualTo(new JobDefinition.Simulator(2000, 1));
    }

    // --- invalid values: each message names its key ---

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of(job("", "", "", "").replace("name: t1", "name: 'bad name!'"), "name: 'bad name!' must be 1-64"),
                Arguments.of(job("", "", "", "").replace("name: t1\n", ""), "name: is required"),
                Arguments.of(job("", "", "", "").replace("projectId: \"42\"", "projectId: abc"), "mixpanel.projectId: 'abc' must be the numeric project id"),
                Arguments.of(withMixpanel("region: usa"), "mixpanel.region: 'usa' is not one of us, eu, in"),
                Arguments.of(withMixpanel("region: [us]"), "mixpanel.region: must be a single value"),
                Arguments.of(withMixpanel("apiUrl: ftp://host"), "mixpanel.apiUrl: 'ftp://host' must be an http:// or https:// URL"),
                Arguments.of(withMixpanel("apiUrl: 'http://a b'"), "mixpanel.apiUrl: 'http://a b' is not a URL"),
                Arguments.of(withMixpanel("apiUrl: https://u:pw@host"), "mixpanel.apiUrl: must not carry credentials"),
                Arguments.of(withMixpanel("timezone: Mars/Base"), "mixpanel.timezone: 'Mars/Base' is not a timezone id"),
                Arguments.of(job("", "projectSecretFile: /x", "", ""), "mixpanel.auth.projectSecretEnv: set projectSecretEnv or projectSecretFile, not both"),
                Arguments.of(withExport("startDate: yesterday").replace("startDate: 2026-01-01\n", ""), "export.startDate: 'yesterday' must be a date YYYY-MM-DD or a number of days back such as -7d"),
                Arguments.of(withExport("startDate: 2026-02-30").replace("startDate: 2026-01-01\n", ""), "export.startDate: '2026-02-30' must be a date"),
                Arguments.of(withExport("startDate: -7").replace("startDate: 2026-01-01\n", ""), "export.startDate: '-7' must be a date"),
                Arguments.of(job("", "", "", "").replace("startDate: 2026-01-01", "startDate: ''"), "export.startDate: must not be empty"),
                Arguments.of(job("", "", "", "").replace("  startDate: 2026-01-01\n", ""), "export.startDate: is required"),
                Arguments.of(withExport("maxRejectedLines: -1"), "export.maxRejectedLines: -1 is out of range"),
                Arguments.of(withExport("partSize: 12XB"), "export.partSize: '12XB' is not a size such as 512KB, 128MB or 1GB"),
                Arguments.of(withExport("partSize: 10B"), "export.partSize: '10B' is out of range [1024 bytes"),
                Arguments.of(withExport("partSize: 5GB"), "export.partSize: '5GB' is out of range"),
                Arguments.of(withExport("parallelism: 0"), "export.parallelism: 0 is out of range [1, 64]"),
                Arguments.of(withExport("parallelism: two"), "export.parallelism: 'two' is not a whole number"),
                Arguments.of(withExport("parallelism: 1.5"), "export.parallelism: '1.5' is not a whole number"),
                Arguments.of(withExport("parallelism: [1, 2]"), "export.parallelism: must be a whole number"),
                Arguments.of(withExport("maxAttempts: 101"), "export.maxAttempts: 101 is out of range [1, 100]"),
                Arguments.of(withExport("connectTimeout: soon"), "export.connectTimeout: 'soon' is not a duration"),
                Arguments.of(withExport("readTimeout: 0s"), "export.readTimeout: '0s' must be positive"),
                Arguments.of(withExport("initialBackoff: -2s"), "export.initialBackoff: '-2s' must be positive"),
                Arguments.of(withExport("maxBackoff: {a: 1}"), "export.maxBackoff: must be a single value"),
                Arguments.of(withExport("timeInMs: maybe"), "export.timeInMs: 'maybe' must be true or false"),
                Arguments.of(withExport("timeInMs: {a: 1}"), "export.timeInMs: must be true or false"),
                Arguments.of(withExport("compression: lz4"), "export.compression: 'lz4' is not one of zstd, snappy, uncompressed"),
                Arguments.of(withExport("sliceHours: 5"), "export.sliceHours: '5' must be 1, 2, 3, 4, 6, 8 or 12"),
                Arguments.of(withExport("sliceHours: 24"), "export.sliceHours: '24' must be 1, 2, 3, 4, 6, 8 or 12"),
                Arguments.of(withExport("sliceHours: three"), "export.sliceHours: 'three' is not a whole number"),
                Arguments.of(withExport("events: Signed up"), "export.events: must be a list of event names"),
                Arguments.of(withExport("events: ['']"), "export.events: must contain only non-empty event names"),
                Arguments.of(withExport("events: [1]"), "export.events: must contain only non-empty event names"),
                Arguments.of(withDestination("s3:\n    partSizeMb: 4"), "destination.s3.partSizeMb: 4 is out of range [5, 1024]"),
                Arguments.of(withDestination("s3:\n    sse: KMS"), "destination.s3.sse: 'KMS' is not one of AES256, aws:kms"),
                Arguments.of(withDestination("s3:\n    kmsKeyId: k1"), "destination.s3.kmsKeyId: needs sse: aws:kms"),
                Arguments.of(withDestination("s3:\n    endpoint: 'http://key:secret@host:9000'"), "destination.s3.endpoint: must not carry credentials"),
                Arguments.of(withDestination("s3:\n    endpoint: ftp://host"), "destination.s3.endpoint: 'ftp://host' must be an http:// or https:// URL"),
                Arguments.of(withDestination("s3:\n    accessKey: x"), "destination.s3.accessKey: unknown key"),
                Arguments.of(withDestination("gcs:\n    chunkSizeMb: 0"), "destination.gcs.chunkSizeMb: 0 is out of range [1, 1024]"),
                Arguments.of(withDestination("gcs:\n    kmsKeyName: mykey"), "destination.gcs.kmsKeyName: 'mykey' must be a key's resource name"),
                Arguments.of(job("", "", "", "").replace("uri: out", "uri: ftp://host/x"), "destination.uri: 'ftp://host/x' has an unsupported scheme"),
                Arguments.of(job("", "", "", "").replace("uri: out", "uri: s3://"), "destination.uri: 's3://' names no bucket"),
                Arguments.of(job("", "", "", "").replace("  uri: out\n", "  {}\n").replace("destination:\n  {}", "destination: {}"), "destination.uri: is required"),
                Arguments.of(job("", "", "", "simulator: {eventsPerDay: -1}"), "simulator.eventsPerDay: -1 is out of range"));
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void invalidValueIsReportedWithItsKeyPath(String yaml, String expected) {
        assertThat(errorOf(yaml)).contains(expected);
    }

    @Test
    void authWithBothKindsIsRefused() {
        String yaml = job("", "serviceAccount: {usernameEnv: U, secretEnv: S}", "", "");

        assertThat(errorOf(yaml)).isEqualTo(
                "  - mixpanel.auth: set either serviceAccount or projectSecretEnv/projectSecretFile, not both");
    }

    @Test
    void authWithNeitherKindIsRefused() {
        String yaml = job("", "", "", "").replace("projectSecretEnv: MP_SECRET", "{}").replace("auth:\n    {}", "auth: {}");

        assertThat(errorOf(yaml)).startsWith("  - mixpanel.auth: set serviceAccount");
    }

    @Test
    void authIsRequiredUnlessSimulated() {
        String yaml = job("", "", "", "").replace("  auth:\n    projectSecretEnv: MP_SECRET\n", "");

        assertThat(errorOf(yaml)).isEqualTo("  - mixpanel.auth: is required");
        assertThat(loader.parse(yaml + "simulator: {}\n").mixpanel().auth()).isNull();
    }

    @Test
    void serviceAccountNeedsBothParts() {
        String yaml = serviceAccount("usernameEnv: U");

        assertThat(errorOf(yaml)).isEqualTo("  - mixpanel.auth.serviceAccount.secretEnv: is required (or secretFile)");
    }

    @Test
    void secretEnvMustBeAVariableNameAndTheValueIsNeverEchoed() {
        String pasted = "sk-9f8e7d6c5b4a";

        String message = errorOf(serviceAccount("usernameEnv: U\n      secretEnv: " + pasted));

        assertThat(message).contains("mixpanel.auth.serviceAccount.secretEnv: must be the NAME of an environment variable")
                .doesNotContain(pasted);
    }

    @Test
    void aSecretThatLooksLikeAVariableNameIsStillRefusedUnlessUpperCase() {
        String pasted = "abcdef0123456789abcdef";

        String message = errorOf(serviceAccount("usernameEnv: U\n      secretEnv: " + pasted));

        assertThat(message).contains("secretEnv: must be the NAME of an environment variable").doesNotContain(pasted);
    }

    @Test
    void anApiUrlWithCredentialsIsRefusedWithoutEchoingThem() {
        assertThat(errorOf(withMixpanel("apiUrl: ftp://user:pw-9911@host")))
                .contains("mixpanel.apiUrl: must not carry credentials").doesNotContain("pw-9911");
        assertThat(errorOf(withMixpanel("apiUrl: https://user:pw-9911@host/x")))
                .contains("mixpanel.apiUrl: must not carry credentials").doesNotContain("pw-9911");
    }

    @Test
    void timeoutsAboveADayAreRefused() {
        assertThat(errorOf(job("", "", "readTimeout: 30d", ""))).contains("export.readTimeout: must be at most 24h");
        assertThat(errorOf(job("", "", "connectTimeout: 25h", ""))).contains("export.connectTimeout: must be at most 24h");
    }

    @Test
    void serviceAccountEnvAndFileTogetherIsRefused() {
        assertThat(errorOf(serviceAccount("usernameEnv: U\n      usernameFile: /u\n      secretEnv: S")))
                .contains("mixpanel.auth.serviceAccount.usernameEnv: set usernameEnv or usernameFile, not both");
    }

    private static String serviceAccount(String lines) {
        return job("", "", "", "").replace("projectSecretEnv: MP_SECRET", "serviceAccount:\n      " + lines);
    }

    static Stream<Arguments> unknownKeys() {
        return Stream.of(
                Arguments.of(job("", "", "", "nmae: x"), "nmae: unknown key (allowed here: name, mixpanel, export, destination, simulator, warehouse, people)"),
                Arguments.of(withMixpanel("regoin: us"), "mixpanel.regoin: unknown key"),
                Arguments.of(job("", "projectSecret: x", "", ""), "mixpanel.auth.projectSecret: unknown key"),
                Arguments.of(serviceAccount("usernameEnv: U\n      secretEnv: S\n      password: x"),
                        "mixpanel.auth.serviceAccount.password: unknown key (allowed here: usernameEnv, usernameFile, secretEnv, secretFile)"),
                Arguments.of(withExport("partsize: 1MB"), "export.partsize: unknown key"),
                Arguments.of(job("", "", "", "").replace("uri: out", "uri: out\n  url: x"), "destination.url: unknown key (allowed here: uri, s3, gcs)"),
                Arguments.of(job("", "", "", "simulator: {events: 3}"), "simulator.events: unknown key (allowed here: eventsPerDay, seed, profiles)"));
    }

    @ParameterizedTest
    @MethodSource("unknownKeys")
    void unknownKeyIsRefusedAtEveryLevel(String yaml, String expected) {
        assertThat(errorOf(yaml)).contains(expected);
    }

    @Test
    void sectionsMustBeMappings() {
        assertThat(errorOf("name: x\nmixpanel: 5\nexport: [1]\ndestination: here\n"))
                .contains("  - mixpanel: must be a mapping")
                .contains("  - export: must be a mapping")
                .contains("  - destination: must be a mapping");
        assertThat(errorOf(job("", "", "", "").replace("projectSecretEnv: MP_SECRET", "serviceAccount: yes")))
                .contains("mixpanel.auth.serviceAccount: must be a mapping");
    }

    @Test
    void fileThatIsNotAMappingIsRefused() {
        assertThat(errorOf("- a\n- b\n")).isEqualTo("  - the job file must be a YAML mapping");
        assertThat(errorOf("just text\n")).isEqualTo("  - the job file must be a YAML mapping");
        assertThat(errorOf("")).isEqualTo("  - the job file must be a YAML mapping");
    }

    @Test
    void badYamlIsRefused() {
        assertThat(errorOf("name: [unclosed\nmixpanel:\n")).startsWith("  - not valid YAML: ");
        assertThat(errorOf(job("", "", "", "export: {startDate: 2026-01-02}")))
                .isEqualTo("  - not valid YAML: Duplicate Object property \"export\"");
    }

    @Test
    void requiredSectionsAreReportedTogether() {
        assertThat(errorOf("name: x\n").lines()).containsExactlyInAnyOrder(
                "  - mixpanel: is required",
                "  - export.startDate: is required",
                "  - destination: is required");
    }

    @Test
    void remoteWorkersNeedASharedSpool() {
        assertThat(errorOf(withExport("workers: remote"))).isEqualTo("  - export.spoolUri: is required with export.workers: "
                + "remote (shared storage every worker reads, e.g. s3://bucket/_spool/ or gs://bucket/_spool/)");
        assertThat(errorOf(withExport("workers: cluster"))).isEqualTo("  - export.workers: 'cluster' must be local or remote");
        assertThat(errorOf(withExport("workers: remote\n  spoolUri: s3:///x"))).contains("export.spoolUri");

        JobDefinition.Export remote = loader.parse(withExport("workers: remote\n  spoolUri: s3://bucket/_spool/\n"
                + "  workerHeartbeat: 5s")).export();
        assertThat(remote.remoteWorkers()).isTrue();
        assertThat(remote.spoolUri()).isEqualTo(Location.of("s3://bucket/_spool/"));
        assertThat(remote.workerHeartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(loader.parse(withExport("workers: remote\n  spoolUri: shared/spool")).export().spoolUri())
                .isEqualTo(Location.of(Path.of("shared/spool").toAbsolutePath().normalize()));
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        String yaml = job("region: usa\n  timezone: Nowhere/City", "", "partSize: huge\n  parallelism: 0\n  colour: red",
                "").replace("uri: out", "uri: s3://b/k\n  s3:\n    sse: none");

        assertThat(errorOf(yaml).lines()).containsExactlyInAnyOrder(
                "  - mixpanel.region: 'usa' is not one of us, eu, in",
                "  - mixpanel.timezone: 'Nowhere/City' is not a timezone id such as UTC or America/New_York",
                "  - export.colour: unknown key (allowed here: startDate, maxRejectedLines, partSize, parallelism, "
                        + "connectTimeout, readTimeout, maxAttempts, initialBackoff, maxBackoff, timeInMs, compression, "
                        + "spoolDir, events, requestsPerHour, requestsPerSecond, maxConcurrentRequests, lookbackDays, lookbackInterval, "
                        + "daysPerRequest, maxRequestSize, schedule, workers, spoolUri, workerHeartbeat, sliceHours)",
                "  - export.partSize: 'huge' is not a size such as 512KB, 128MB or 1GB",
                "  - export.parallelism: 0 is out of range [1, 64]",
                "  - destination.s3.sse: 'none' is not one of AES256, aws:kms");
    }

    @Test
    void loadNamesTheFile(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> loader.load(missing)).isInstanceOf(InvalidJobException.class)
                .hasMessage("job file " + missing + " does not exist");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), withMixpanel("region: mars"));
        assertThatThrownBy(() -> loader.load(bad)).isInstanceOf(InvalidJobException.class)
                .hasMessage("job file " + bad + " is invalid:\n  - mixpanel.region: 'mars' is not one of us, eu, in");
    }

    // --- secrets ---

    @Test
    void secretFromEnvironment() {
        SecretSource source = new SecretSource("k.secretEnv", "MY_VAR", null);

        assertThat(source.resolve(Map.of("MY_VAR", "  s3cr3t-value\n")).reveal()).isEqualTo("s3cr3t-value");
        assertThat(source.describe()).isEqualTo("environment variable MY_VAR");
    }

    @Test
    void unsetOrBlankEnvironmentVariableIsNamed() {
        SecretSource source = new SecretSource("mixpanel.auth.projectSecretEnv", "MY_VAR", null);

        assertThatThrownBy(() -> source.resolve(Map.of())).isInstanceOf(InvalidJobException.class)
                .hasMessage("mixpanel.auth.projectSecretEnv: environment variable MY_VAR is not set or empty");
        assertThatThrownBy(() -> source.resolve(Map.of("MY_VAR", " \t "))).isInstanceOf(InvalidJobException.class)
                .hasMessage("mixpanel.auth.projectSecretEnv: environment variable MY_VAR is not set or empty");
        assertThatThrownBy(() -> source.resolve(Map.of("OTHER", "value-of-other")))
                .hasMessageNotContaining("value-of-other");
    }

    @Test
    void secretFromFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("secret"), "file-secret-123\n");
        SecretSource source = new SecretSource("k.secretFile", null, file);

        assertThat(source.resolve(Map.of()).reveal()).isEqualTo("file-secret-123");
        assertThat(source.describe()).isEqualTo("file " + file);
    }

    @Test
    void missingOrEmptySecretFileIsNamed(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("absent");
        assertThatThrownBy(() -> new SecretSource("k.secretFile", null, missing).resolve(Map.of()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("k.secretFile: cannot read file " + missing + " (NoSuchFileException)");

        Path empty = Files.writeString(dir.resolve("empty"), "  \n");
        assertThatThrownBy(() -> new SecretSource("k.secretFile", null, empty).resolve(Map.of()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("k.secretFile: file " + empty + " is empty");
    }

    @Test
    void secretToStringIsMasked() {
        Secret secret = Secret.of("hunter2-secret");

        assertThat(secret.toString()).isEqualTo("****");
        assertThat(String.valueOf(List.of(secret))).doesNotContain("hunter2");
        assertThat(secret).isEqualTo(Secret.of("hunter2-secret")).isNotEqualTo(Secret.of("other"));
        assertThat(secret.reveal()).isEqualTo("hunter2-secret");
    }

    @Test
    void jobDefinitionToStringNamesSourcesNeverValues(@TempDir Path dir) throws IOException {
        Path userFile = Files.writeString(dir.resolve("user"), "file-user-value");
        String yaml = serviceAccount("usernameFile: " + userFile + "\n      secretEnv: SA_SECRET");
        Map<String, String> env = Map.of("SA_SECRET", "env-secret-value");

        JobDefinition def = loader.parse(yaml);
        JobDefinition.Auth auth = def.mixpanel().auth();

        assertThat(auth.serviceAccountUsername().resolve(env).reveal()).isEqualTo("file-user-value");
        assertThat(auth.serviceAccountSecret().resolve(env).reveal()).isEqualTo("env-secret-value");
        assertThat(def.toString()).contains("SA_SECRET").contains(userFile.toString())
                .doesNotContain("env-secret-value").doesNotContain("file-user-value");
    }
}
