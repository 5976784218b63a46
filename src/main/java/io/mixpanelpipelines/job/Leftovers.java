package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.time.LocalDate;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a run leaves behind that nothing will read again, whichever way it got there: the spool of
 * a day that is published (a day step deletes its own, but a restart, a re-fetched window or a killed run
 * can leave one), and the temporary files that a writer killed mid-part left in a day's staging folder.
 * Called only by the holder of the job's lock, so no other run is using them. Failing to delete is logged,
 * never fatal: the data is safe either way.
 */
final class Leftovers {

    private static final Logger log = LoggerFactory.getLogger(Leftovers.class);

    private final JobDefinition job;
    private final DaySpools spools;
    private final Storage storage;
    private final DatasetLayout layout;
    private final PartitionLedger ledger;

    Leftovers(JobDefinition job, DaySpools spools, Storage storage, DatasetLayout layout, PartitionLedger ledger) {
        this.job = job;
        this.spools = spools;
        this.storage = storage;
        this.layout = layout;
        this.ledger = ledger;
    }

    /** Before a resume: the staged temporary files of the days it resumes (their writers are dead). */
    void beforeResume(Collection<LocalDate> days) {
        for (LocalDate day : days) {
            try {
                storage.deleteAbandoned(layout.staging(day));
            } catch (IOException | RuntimeException e) {
                log.warn("{}: could not delete the temporary files of a killed run in {}: {}", day, layout.staging(day),
                        e.getMessage());
            }
        }
    }

    /**
     * After a run: the spools of its days that are published and that it neither failed nor deferred (a
     * published day whose late-data re-fetch failed keeps the spool that the next run converts).
     */
    void afterRun(Collection<LocalDate> days, RunOutcomes outcomes) {
        for (LocalDate day : days) {
            if (outcomes.containsKey(day)) {
                continue;
            }
            Spool spool = spools.forDay(day);
            boolean dayFolder = java.nio.file.Files.exists(spool.dir());
            // a sliced day may have left its slices' folder alone (killed once published, before deleting it)
            boolean slices = spools.hasSlices(day);
            if (!dayFolder && !slices) {
                continue;
            }
            boolean published = ledger.find(job.name(), day).map(r -> r.state() == PartitionState.PUBLISHED).orElse(false);
            if (!published) {
                continue;
            }
            if (dayFolder) {
                try {
                    spool.delete();
                    log.info("{}: deleted the spool left for the published day", day);
                } catch (RuntimeException e) {
                    log.warn("{}: published, but its spool {} could not be deleted: {}", day, spool.dir(), e.getMessage());
                }
            }
            if (slices) {
                try {
                    spools.deleteSlices(day);
                    log.info("{}: deleted the slices' spools left for the published day", day);
                } catch (RuntimeException e) {
                    log.warn("{}: published, but its slices' spools could not be deleted: {}", day, e.getMessage());
                }
            }
        }
    }
}
