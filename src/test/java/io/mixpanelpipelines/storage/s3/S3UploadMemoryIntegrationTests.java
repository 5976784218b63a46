package io.mixpanelpipelines.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Opt-in measurement: streams a large object through {@link S3OutputFile} into S3Proxy and reports peak
 * heap, peak RSS and throughput. Run it with
 * {@code ./mvnw -B -q -DskipTests package && ./mvnw -B failsafe:integration-test failsafe:verify
 * -Dit.test=S3UploadMemoryIntegrationTests -Ds3.upload.megabytes=2048 -DargLine=-Xmx256m}.
 */
@EnabledIfSystemProperty(named = "s3.upload.megabytes", matches = "\\d+")
class S3UploadMemoryIntegrationTests {

    @Test
    void aLargeUploadStaysWithinItsPartBuffers() throws Exception {
        long megabytes = Long.getLong("s3.upload.megabytes");
        S3ProxyServer server = S3ProxyServer.get();
        server.createBucket("memory");
        S3Settings settings = new S3Settings("us-east-1", server.endpoint(), true, S3Settings.DEFAULT_PART_SIZE,
                S3Settings.DEFAULT_PARTS_IN_FLIGHT, null, null, null);
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        long rssBefore = rssKb("VmRSS");

        long start = System.nanoTime();
        try (S3Client client = S3ProxyServer.client(server.endpoint())) {
            S3Storage storage = new S3Storage(settings, client);
            Location f = Location.of("s3://memory/large.bin");
            PositionOutputStream out = storage.newOutputFile(f).create();
            for (long i = 0; i < megabytes; i++) {
                block[0] = (byte) i;
                out.write(block);
            }
            out.close();
            double seconds = (System.nanoTime() - start) / 1e9;
            long size = storage.list(Location.of("s3://memory")).stream()
                    .filter(e -> e.location().equals(f)).findFirst().orElseThrow().size();
            assertThat(size).isEqualTo(megabytes << 20);
            storage.delete(f);

            long heapPeak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    heapPeak += pool.getPeakUsage().getUsed();
                }
            }
            String report = String.format("S3 upload of %d MiB in %d MiB parts, %d in flight: %.1f s, %.1f MiB/s; "
                    + "peak heap (sum of pool peaks) %d MiB of max %d MiB; RSS %d MiB before, peak RSS (VmHWM) %d MiB",
                    megabytes, settings.partSizeBytes() >> 20, settings.maxPartsInFlight(), seconds, megabytes / seconds,
                    heapPeak >> 20, Runtime.getRuntime().maxMemory() >> 20, rssBefore >> 10, rssKb("VmHWM") >> 10);
            System.out.println(report);
            Files.writeString(Path.of("target", "s3-upload-memory.txt"), report + "\n");
        }
    }

    private static long rssKb(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
