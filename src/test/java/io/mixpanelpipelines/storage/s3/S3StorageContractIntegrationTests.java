package io.mixpanelpipelines.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.storage.AbstractStorageContractTests;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The storage contract on S3, against a real S3 server (S3Proxy, filesystem backend) on loopback, through
 * a proxy that injects faults between the SDK and the server. The SDK's own retry does the retrying.
 */
class S3StorageContractIntegrationTests extends AbstractStorageContractTests {

    static final String BUCKET = "contract";

    private S3ProxyServer server;
    private FaultInjectingProxy proxy;
    private S3Client client;
    private S3Storage storage;
    private Location root;

    @BeforeEach
    void setUp() throws Exception {
        server = S3ProxyServer.get();
        server.createBucket(BUCKET);
        proxy = new FaultInjectingProxy(server.endpoint());
        client = S3ProxyServer.client(proxy.endpoint());
        storage = new S3Storage(S3ProxyServer.settings(proxy.endpoint()), client);
        root = Location.of("s3://" + BUCKET + "/t-" + UUID.randomUUID());
    }

    @AfterEach
    void tearDown() throws IOException {
        client.close();
        proxy.close();
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Override
    protected Location root() {
        return root;
    }

    @Override
    protected int multiPartSize() {
        return (int) (3 * S3Settings.MIN_PART_SIZE + 12_345); // four parts, the last one short
    }

    @Override
    protected void assertNoIncompleteUploads() {
        assertThat(client.listMultipartUploads(r -> r.bucket(BUCKET).prefix(root.key())).uploads())
                .as("multipart uploads left behind").isEmpty();
    }

    @Test
    void anUploadInProgressIsSeenByTheLeftoverCheck() throws Exception {
        PositionOutputStream out = storage.newOutputFile(root.resolve("open.bin")).create();
        out.write(randomBytes((int) S3Settings.MIN_PART_SIZE + 1, 4));

        assertThat(client.listMultipartUploads(r -> r.bucket(BUCKET).prefix(root.key())).uploads())
                .as("the check is not vacuous: this server lists uploads in progress").hasSize(1);
        out.abort();
        assertNoIncompleteUploads();
    }

    @Test
    void aSlowDownOnAPartIsRetriedByTheSdk() throws Exception {
        proxy.inject(FaultInjectingProxy.Fault.SLOW_DOWN, line -> line.contains("partNumber=2"));
        Location f = root.resolve("slow.bin");
        byte[] data = randomBytes(multiPartSize(), 5);

        write(f, data);

        assertThat(proxy.injected()).isEqualTo(1);
        assertThat(sha256(read(f))).isEqualTo(sha256(data));
        assertNoIncompleteUploads();
    }

    @Test
    void aResetConnectionIsRetriedByTheSdk() throws Exception {
        proxy.inject(FaultInjectingProxy.Fault.RESET, line -> line.contains("partNumber=1"));
        proxy.inject(FaultInjectingProxy.Fault.RESET_MID_BODY, line -> line.contains("partNumber=3"));
        proxy.inject(FaultInjectingProxy.Fault.RESET, line -> line.startsWith("POST") && line.contains("uploadId="));
        Location f = root.resolve("reset.bin");
        byte[] data = randomBytes(multiPartSize(), 6);

        write(f, data);

        assertThat(proxy.injected()).isEqualTo(3);
        assertThat(sha256(read(f))).isEqualTo(sha256(data));
        assertNoIncompleteUploads();
    }

    @Test
    void aPartThatKeepsFailingAbortsTheUploadAndNamesTheBucket() throws Exception {
        proxy.inject(FaultInjectingProxy.Fault.RESET_ALWAYS, line -> line.contains("partNumber=2"));
        Location f = root.resolve("failed.bin");
        PositionOutputStream out = storage.newOutputFile(f).create();

        assertThatThrownBy(() -> {
            out.write(randomBytes(multiPartSize(), 8));
            out.close();
        }).isInstanceOf(IOException.class).hasMessageContaining("bucket '" + BUCKET + "'");
        out.abort();

        assertThat(storage.exists(f)).isFalse();
        assertNoIncompleteUploads();
    }

    @Test
    void aMissingBucketIsNamed() {
        Location f = Location.of("s3://no-such-bucket/x/probe");

        assertThatThrownBy(() -> write(f, new byte[1]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bucket 'no-such-bucket'")
                .hasMessageContaining("NoSuchBucket");
    }

    @Test
    void badCredentialsAreNamedWithoutTheSecret() {
        try (S3Client wrong = S3Client.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .forcePathStyle(true).requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("nobody", "wrong-secret-123")))
                .build()) {
            S3Storage denied = new S3Storage(S3ProxyServer.settings(server.endpoint()), wrong);

            assertThatThrownBy(() -> {
                PositionOutputStream out = denied.newOutputFile(Location.of("s3://" + BUCKET + "/probe")).create();
                out.write(1);
                out.close();
            }).isInstanceOf(IOException.class)
                    .hasMessageContaining("bucket '" + BUCKET + "'")
                    .hasMessageContaining("HTTP 403")
                    .hasMessageNotContaining("wrong-secret-123");
        }
    }
}
