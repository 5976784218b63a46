package io.mixpanelpipelines.source;

import java.time.Instant;

/**
 * What a complete spool holds: written last, so a spool without one is never trusted.
 *
 * @param encoding {@code gzip} or {@code identity}: how the body file is stored (as Mixpanel sent it); {@code zstd}
 *     for a day's spool split out of a window, or {@code identity} for the one day a window writes beside days held
 *     back; {@code omitted} for such a held-back day found unchanged, whose body was not kept
 * @param bodyBytes size of the body file
 * @param lines lines in the decoded body
 * @param decodedBytes size of the decoded body
 * @param completedAt when the last byte arrived
 * @param contentHash for a day's spool split out of a multi-day window: the content hash the day's conversion
 *     would publish (its rows and line-hash sum, {@code LineHash.format}), so that an unchanged day is known
 *     before it is converted; null when unknown (a body as Mixpanel sent it, or a manifest of an older version)
 * @param unpublishableLines lines of the body its day's conversion would reject (malformed, too long, another
 *     day's); null when unknown, as {@code contentHash}
 */
public record SpoolManifest(String window, String encoding, long bodyBytes, long lines, long decodedBytes,
        Instant completedAt, String contentHash, Long unpublishableLines) {

    /** A manifest without a content hash: a body as received. */
    public SpoolManifest(String window, String encoding, long bodyBytes, long lines, long decodedBytes,
            Instant completedAt) {
        this(window, encoding, bodyBytes, lines, decodedBytes, completedAt, null, null);
    }
}
