package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.job.plan.DaySlice;
import java.util.List;

/**
 * The slice a day step converts when its day is sliced: one partition per slice, each converting its own
 * slice spool into the day's staging area, the last one staged assembling the day ({@link SliceAssembly}).
 * Immutable; thread-safe.
 *
 * @param slice the slice converted
 * @param daySlices every slice of its day, in order
 * @param window the day's request window label ({@code 2026-03-08/3h}), kept in the day's manifest
 * @param jobInstanceId the Spring Batch job instance: the slices staged by it make up the day
 */
public record SliceStep(DaySlice slice, List<DaySlice> daySlices, String window, long jobInstanceId) {

    public SliceStep {
        daySlices = List.copyOf(daySlices);
    }

    /** The name of the slice's {@code index}th part: its hour in the name, so slices never collide in staging. */
    public String partName(int index, String runId) {
        return DatasetLayout.partName(index, runId + suffix());
    }

    /** Whether a staged file is one of this slice's parts. */
    public boolean ownsPart(String fileName) {
        return fileName.endsWith(suffix() + ".parquet");
    }

    /** The name of the slice's rejected and repaired line files: the slice's label, not the day's. */
    public String label() {
        return slice.label();
    }

    private String suffix() {
        return String.format("-h%02d", slice.fromHour());
    }
}
