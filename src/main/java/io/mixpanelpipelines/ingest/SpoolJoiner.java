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
 * Joins the zstd spools of one day's slices, each already {@linkplain WindowSplitter split} (parsed, hashed,
 * compressed) when it arrived, into the day's spool without decoding them: a zstd stream may hold several
 * frames one after the other, so the day's body is the slices' bodies end to end. The day's manifest sums
 * theirs; its content hash sums their rows and line-hash sums, exactly what one split of the whole day would
 * give, since a day's hash does not depend on the order of its lines. Stateless; thread-safe.
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
        long bodyBytes = 0;
        long lines = 0;
        long decodedBytes = 0;
        long rows = 0;
        long hashSum = 0;
        long unpublishable = 0;
        Instant completedAt = Instant.EPOCH;
        try (OutputStream out = day.beginBody()) {
            for (Spool part : parts) {
                SpoolManifest m = part.manifest();
                if (!Spool.ZSTD.equals(m.encoding()) || m.contentHash() == null || m.unpublishableLines() == null) {
                    throw new IllegalStateException(part + " is not a split slice (" + m.encoding() + ")");
                }
                try (InputStream in = Files.newInputStream(part.dir().resolve("body"))) {
                    bodyBytes += in.transferTo(out);
                }
                lines += m.lines();
                decodedBytes += m.decodedBytes();
                int colon = m.contentHash().indexOf(':');
                rows += Long.parseLong(m.contentHash().substring(0, colon));
                hashSum += Long.parseUnsignedLong(m.contentHash().substring(colon + 1), 16);
                unpublishable += m.unpublishableLines();
                completedAt = m.completedAt().isAfter(completedAt) ? m.completedAt() : completedAt;
            }
        }
        day.commit(new SpoolManifest(window, Spool.ZSTD, bodyBytes, lines, decodedBytes, completedAt,
                LineHash.format(rows, hashSum), unpublishable));
    }
}
