package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.storage.Location;
import java.time.LocalDate;

/**
 * Where identity mappings go (issue 13's fixed contract): {@code <root>/<projectId>/identity_mappings/
 * date=YYYY-MM-DD/part-00000.parquet} and its {@code _SUCCESS}, one folder per event day; a day's file is
 * staged first under {@code <root>/<projectId>/_staging/identity_mappings/date=YYYY-MM-DD/}, outside the
 * dataset, named after the events' content it was derived from.
 */
public record IdentityLayout(Location root, String projectId) {

    public static final String PART = "part-00000.parquet";
    public static final String MANIFEST = "_SUCCESS";

    public Location mappings() {
        return root.resolve(projectId, "identity_mappings");
    }

    public Location day(LocalDate day) {
        return mappings().resolve("date=" + day);
    }

    public Location part(LocalDate day) {
        return day(day).resolve(PART);
    }

    public Location manifest(LocalDate day) {
        return day(day).resolve(MANIFEST);
    }

    public Location stagingRoot() {
        return root.resolve(projectId, "_staging", "identity_mappings");
    }

    public Location staging(LocalDate day) {
        return stagingRoot().resolve("date=" + day);
    }

    /**
     * The staged file of a day derived from the events whose content is {@code contentKey} (a content hash
     * or run id: letters, digits, {@code -} and {@code :} only, so safe in a file name).
     */
    public Location staged(LocalDate day, String contentKey) {
        return staging(day).resolve("part-00000-" + contentKey.replace(':', '_') + ".parquet");
    }
}
