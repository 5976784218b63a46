package io.mixpanelpipelines.job;

import io.mixpanelpipelines.ingest.StreamedFetch;
import io.mixpanelpipelines.ingest.WindowSplitter;
import io.mixpanelpipelines.job.day.DayCompletion;
import io.mixpanelpipelines.job.plan.DayRanges;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelException;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.MixpanelRequestException;
import io.mixpanelpipelines.source.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.core.scope.context.ChunkContext;

/**
 * Fetches one multi-day request window into its spool (unless a complete one is there) and splits it into
 * one spool per day as it downloads (published days found unchanged keep no body: {@link WindowSplitter}).
 * A one-day window is left to its day's step, which downloads and converts it at once. A slice of a sliced
 * day is fetched into its own spool ({@link SlicedDayFetch}), and step 2 converts each slice in a partition of its own ({@link DayPartitioner}); with
 * remote workers the worker converting a slice fetches it.
 * A refusal or an exhausted budget does not fail the step: the window's days are recorded as FAILED or
 * DEFERRED (a later run plans them again) and the days that were fetched still get converted.
 * Restartable: every stage is skipped once its result is complete on disk, and a restart re-plans the
 * window: it asks only for the days that the run it resumes has not published and that have no complete
 * spool, one request per run of consecutive days, none when there are none. Thread-safe (no state of its
 * own; the outcomes and the ledger are): step 1's partitions run it concurrently.
 */
public final class WindowFetchTasklet implements Tasklet {

    static final String WINDOW = "window";
    /** In a slice's partition: the slice's first wall-clock hour (see {@link WindowPartitioner}). */
    static final String SLICE_FROM_HOUR = "sliceFromHour";
    private static final Logger log = LoggerFactory.getLogger(WindowFetchTasklet.class);

    /** The day steps' names: the partition step's name, a colon, the partition's name. */
    private static final String DAY_STEP = "exportDay:";

    private final JobDefinition job;
    private final String runId;
    private final MixpanelExportClient client;
    private final DaySpools spools;
    private final PartitionLedger ledger;
    private final RunOutcomes outcomes;
    private final JobRepository jobRepository;
    private final DownloadProgress progress;
    private final SlicedDayFetch slicedDays;

    public WindowFetchTasklet(JobDefinition job, String runId, MixpanelExportClient client, DaySpools spools,
            PartitionLedger ledger, RunOutcomes outcomes, JobRepository jobRepository, DownloadProgress progress) {
        this.job = job;
        this.runId = runId;
        this.client = client;
        this.spools = spools;
        this.ledger = ledger;
        this.outcomes = outcomes;
        this.jobRepository = jobRepository;
        this.progress = progress;
        this.slicedDays = new SlicedDayFetch(job, spools);
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        String label = step.getExecutionContext().getString(WINDOW);
        RequestWindow window = RequestWindow.decode(label).get(0);
        if (window.isSliced()) {
            if (job.export().remoteWorkers()) {
                log.debug("{}: fetched by the worker that converts the slice", label);
            } else {
                fetchSlice(step, window, step.getExecutionContext().getInt(SLICE_FROM_HOUR));
            }
            return RepeatStatus.FINISHED;
        }
        if (window.size() == 1 && !finishedEarlier(step.getJobExecution(), window, window.from())) {
            if (daySpool(window.from()).isComplete()) {
                log.info("{}: using the complete spool (no request)", label);
            } else {
                // a one-day window is the day's own request: its day step downloads it while converting it
                // (StreamedFetch), decoding the body once instead of twice
                log.debug("{}: fetched by its day step", label);
            }
            return RepeatStatus.FINISHED;
        }
        // re-planned: a restarted execution asks only for the days that are neither finished by this job
        // instance (published before the restart) nor spooled; one request per run of consecutive days
        List<LocalDate> open = new ArrayList<>();
        int finished = 0;
        for (LocalDate d : window.days()) {
            if (finishedEarlier(step.getJobExecution(), window, d)) {
                finished++;
            } else if (!daySpool(d).isComplete()) {
                open.add(d);
            }
        }
        if (open.isEmpty()) {
            log.info("{}: {}using the complete spool{} (no request)", label,
                    finished > 0 ? finished + " day(s) finished before the restart; " : "", window.size() > 1 ? "s" : "");
            return RepeatStatus.FINISHED;
        }
        for (RequestWindow run : DayRanges.runs(open)) {
            if (run.size() < window.size()) {
                log.info("{}: {} day(s) finished or spooled already; requesting {} only", label, window.size() - run.size(),
                        run.label());
            }
            fetch(run);
        }
        return RepeatStatus.FINISHED;
    }

    /** Fetches consecutive days, none of them spooled, in one request into their day spools. */
    private void fetch(RequestWindow run) throws IOException {
        List<LocalDate> days = run.days();
        Map<LocalDate, Spool> daySpools = new LinkedHashMap<>();
        for (LocalDate d : days) {
            daySpools.put(d, daySpool(d));
        }
        ExportRequest request = spools.windowRequest(run.from(), run.to());
        Spool spool = spools.forRequest(request);
        if (days.size() == 1) { // a day of its own: its spool is the day's (a restart's leftover day)
            download(request, spool, days, run.label());
        } else if (unlessRefused(days, run.label(), () -> split(run, request, spool, daySpools))) {
            spool.delete();
        }
    }

    /** Fetches one slice of a sliced day, unless the day is done or spooled: see {@link SlicedDayFetch}. */
    private void fetchSlice(StepExecution step, RequestWindow window, int fromHour) throws IOException {
        LocalDate day = window.from();
        if (finishedEarlier(step.getJobExecution(), window, day) || daySpool(day).isComplete()) {
            log.debug("{}: the day is finished or spooled (no request)", window.label());
            return;
        }
        // hashed as it arrives only if its content may leave the published day alone: decided in one place
        boolean published = DayCompletion.unchangedHash(ledger, job.name(), day).isPresent();
        slicedDays.fetch(window, fromHour, published, this::download);
    }

    /**
     * Receives {@code request}'s body into {@code spool} unless it is complete; on Mixpanel's refusal or an
     * exhausted budget records {@code days} as FAILED or DEFERRED and answers false.
     */
    private boolean download(ExportRequest request, Spool spool, List<LocalDate> days, String label)
            throws IOException {
        return unlessRefused(days, label, () -> {
            if (!spool.isComplete()) {
                try (DownloadProgress.Tracker tracker = progress.track(label)) {
                    client.fetch(request, spool, tracker);
                }
            }
        });
    }

    /** A fetch of some days (a window, a day, a slice). */
    @FunctionalInterface
    private interface Fetch {
        void run() throws IOException;
    }

    /**
     * Runs {@code fetch}; on Mixpanel's refusal or an exhausted budget records {@code days} as FAILED or
     * DEFERRED (FATAL for a refusal no later run can change) and answers false.
     */
    private boolean unlessRefused(List<LocalDate> days, String label, Fetch fetch) throws IOException {
        try {
            fetch.run();
            return true;
        } catch (MixpanelException e) {
            String code = e instanceof MixpanelAuthenticationException || e instanceof MixpanelRequestException
                    ? DayStepListener.FATAL : e.isRetryableLater() && isDeferral(e) ? DayStepListener.DEFERRED : "FAILED";
            for (LocalDate d : days) {
                outcomes.put(d, code);
            }
            if (code.equals(DayStepListener.DEFERRED)) {
                ledger.deferred(job.name(), days, runId, e.getMessage());
                log.warn("{}: deferred: {}", label, e.getMessage());
            } else {
                for (LocalDate d : days) {
                    ledger.failed(job.name(), d, runId, e.getMessage());
                }
                log.error("{}: failed: {}", label, e.getMessage());
            }
            return false;
        } catch (InvalidJobException e) {
            days.forEach(d -> outcomes.put(d, DayStepListener.FATAL));
            throw e;
        }
    }

    /**
     * Splits the window into its days' spools: as it downloads (the body is decoded once), or from its
     * complete spool (a restart). Days already published are held back: in steady state they are unchanged
     * and need no spool ({@link WindowSplitter}).
     */
    private void split(RequestWindow run, ExportRequest request, Spool spool, Map<LocalDate, Spool> daySpools)
            throws IOException {
        Map<LocalDate, String> published = new LinkedHashMap<>();
        for (LocalDate d : daySpools.keySet()) {
            DayCompletion.unchangedHash(ledger, job.name(), d).ifPresent(h -> published.put(d, h));
        }
        WindowSplitter.Split split = new WindowSplitter(job.mixpanel().timezone(), job.export().timeInMs())
                .begin(spool.dir(), daySpools, published);
        try {
            if (spool.isComplete()) {
                split.read(spool.openLines());
            } else {
                download(run, request, spool, split);
            }
            split.finish(spool);
        } catch (IOException | RuntimeException e) {
            split.abort();
            throw e;
        }
    }

    /** Downloads the window into its spool, splitting each attempt's decoded body as it arrives. */
    private void download(RequestWindow run, ExportRequest request, Spool spool, WindowSplitter.Split split)
            throws IOException {
        // one request: this step's partitions are already bounded by export.maxConcurrentRequests
        try (DownloadProgress.Tracker tracker = progress.track(run.label());
                StreamedFetch fetch = new StreamedFetch(client, request, spool, new Semaphore(1), run.label(), tracker)) {
            while (true) {
                InputStream attempt = fetch.nextAttempt(); // throws the client's failure when there is none
                try {
                    split.read(attempt); // ends once the body ended cleanly and its spool is committed
                    return;
                } catch (StreamedFetch.AttemptAbandonedException e) {
                    log.warn("{}: {}; splitting the next attempt from the start", run.label(), e.getMessage());
                }
            }
        }
    }

    private Spool daySpool(LocalDate day) {
        return spools.forDay(day);
    }

    /**
     * Whether an earlier execution of this job instance (the run a restart resumes) published the day: its
     * day step, or every one of its slices' steps, completed and the ledger says published. A fresh run has
     * no earlier execution.
     */
    private boolean finishedEarlier(JobExecution execution, RequestWindow window, LocalDate day) {
        if (!ledger.find(job.name(), day).map(r -> r.state() == PartitionState.PUBLISHED).orElse(false)) {
            return false;
        }
        if (completedEarlier(execution, DayPartitioner.partitionName(day))) {
            return true;
        }
        List<String> slices = window.slices(job.mixpanel().timezone()).stream().map(DayPartitioner::partitionName).toList();
        return !slices.isEmpty() && slices.stream().allMatch(s -> completedEarlier(execution, s));
    }

    private boolean completedEarlier(JobExecution execution, String partition) {
        StepExecution last = jobRepository.getLastStepExecution(execution.getJobInstance(), DAY_STEP + partition);
        return last != null && last.getJobExecutionId() != execution.getId() && last.getStatus() == BatchStatus.COMPLETED;
    }

    private static boolean isDeferral(MixpanelException e) {
        return e instanceof io.mixpanelpipelines.source.MixpanelRateLimitedException
                || e instanceof io.mixpanelpipelines.source.RequestBudgetExhaustedException;
    }
}
