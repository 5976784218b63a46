package io.mixpanelpipelines.source;

import java.time.Instant;

/**
 * What a complete spool holds: written last, so a spool without one is never trusted.
 *
 * @param encoding {@code gzip} or {@code identity}: how the body file is stored (as Mixpanel sent it)
 * @param bodyBytes size of the body file
 * @param lines lines in the decoded body
 * @param decodedBytes size of the decoded body
 * @param completedAt when the last byte arrived
 */
public record SpoolManifest(String window, String encoding, long bodyBytes, long lines, long decodedBytes,
        Instant completedAt) {
}
