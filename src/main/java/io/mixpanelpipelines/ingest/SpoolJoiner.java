package io.mixpanelpipelines.ingest;

import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

/**
 * Joins the spools of one day's slices into the day's spool without decoding them, the slices' bodies end to
 * end: a zstd stream may hold several frames one after the other. The slices are joined as they were
 * {@linkplain WindowSplitter split} (parsed, hashed, zstd) when they arrived ({@link #join}): the day's
 * content hash sums their rows and line-hash sums, exactly what one split of the whole day would give, since
 * a day's hash does not depend on the order of its lines. The day's manifest sums the slices'. Stateless;
 * thread-safe.
 */
public final class SpoolJoiner {

    private SpoolJoiner() {
    }

    /**
     * Writes and commits {@code day} from {@code parts} (complete zstd spools with a content hash), in order.
     *
     * @param window the label the day's manifest keeps (e.g. {@code 2026-03-08/3h})
     */
    public static void join(List<Spool> parts, String window, Spool day) throws IOException {
        List<SpoolManifest> manifests = new java.util.ArrayList<>();
        long bodyBytes = 0;
        try (OutputStream out = day.beginBody()) {
            for (Spool part : parts) {
                SpoolManifest m = part.manifest();
                manifests.add(m);
                if (!isHashed(m)) {
                    throw new IllegalStateException(part + " is not a split slice (" + m.encoding() + ")");
                }
                try (InputStream in = Files.newInputStream(part.dir().resolve("body"))) {
                    bodyBytes += in.transferTo(out);
                }
            }
        }
        SpoolManifest sum = sum(manifests, window);
        day.commit(new SpoolManifest(window, Spool.ZSTD, bodyBytes, sum.lines(), sum.decodedBytes(), sum.completedAt(),
                sum.contentHash(), sum.unpublishableLines()));
    }

    /**
     * The manifest of the day made of {@code parts} (split slices, each with its content hash): lines, decoded
     * bytes, rows and line-hash sums added up, so its content hash is the one the day's conversion would
     * publish whichever slice came first; null when some part carries no content hash.
     */
    public static SpoolManifest sum(List<SpoolManifest> parts, String window) {
        long lines = 0;
        long decodedBytes = 0;
        long rows = 0;
        long hashSum = 0;
        long unpublishable = 0;
        Instant completedAt = Instant.EPOCH;
        for (SpoolManifest m : parts) {
            if (!isHashed(m)) {
                return null;
            }
            lines += m.lines();
            decodedBytes += m.decodedBytes();
            int colon = m.contentHash().indexOf(':');
            rows += Long.parseLong(m.contentHash().substring(0, colon));
            hashSum += Long.parseUnsignedLong(m.contentHash().substring(colon + 1), 16);
            unpublishable += m.unpublishableLines();
            completedAt = m.completedAt().isAfter(completedAt) ? m.completedAt() : completedAt;
        }
        return new SpoolManifest(window, Spool.ZSTD, 0, lines, decodedBytes, completedAt, LineHash.format(rows, hashSum),
                unpublishable);
    }

    private static boolean isHashed(SpoolManifest m) {
        return Spool.ZSTD.equals(m.encoding()) && m.contentHash() != null && m.unpublishableLines() != null;
    }
}
