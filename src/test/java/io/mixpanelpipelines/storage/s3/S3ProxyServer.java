package io.mixpanelpipelines.storage.s3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server on loopback for the tests: S3Proxy (copied to {@code target/s3proxy/} by the build)
 * with its filesystem backend, started once per test JVM as a separate process and stopped when the JVM
 * exits. Fixed test keys, SigV2/SigV4 authorization.
 */
public final class S3ProxyServer {

    public static final String ACCESS_KEY = "test-access-key";
    public static final String SECRET_KEY = "test-secret-key";
    private static S3ProxyServer instance;

    private final Process process;
    private final URI endpoint;
    private final Path basedir;

    private S3ProxyServer(Process process, URI endpoint, Path basedir) {
        this.process = process;
        this.endpoint = endpoint;
        this.basedir = basedir;
    }

    /** The shared server, started on first use. */
    public static synchronized S3ProxyServer get() throws IOException, InterruptedException {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static S3ProxyServer start() throws IOException, InterruptedException {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the build (generate-test-resources copies it)");
        }
        Path dir = Files.createTempDirectory("s3proxy-");
        Path basedir = Files.createDirectories(dir.resolve("data"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + basedir,
                ""));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                break;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("S3Proxy did not start; see " + dir.resolve("s3proxy.log"));
                }
                Thread.sleep(200);
            }
        }
        return new S3ProxyServer(p, endpoint, basedir);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Where the filesystem backend keeps buckets: one folder per bucket. */
    public Path basedir() {
        return basedir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A client with the test keys for {@code endpoint} (this server's, or a proxy in front of it). */
    public static S3Client client(URI endpoint) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClientBuilder(ApacheHttpClient.builder())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** Settings for an S3-compatible endpoint with the smallest part size, so tests span several parts. */
    public static S3Settings settings(URI endpoint) {
        return new S3Settings("us-east-1", endpoint, true, S3Settings.MIN_PART_SIZE, 2, null, null, null);
    }

    /** Creates a bucket if it is not there yet. */
    public void createBucket(String bucket) {
        try (S3Client c = client(endpoint)) {
            if (c.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                c.createBucket(r -> r.bucket(bucket));
            }
        }
    }
}
