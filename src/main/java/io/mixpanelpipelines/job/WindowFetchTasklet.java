package io.mixpanelpipelines.job;

import io.mixpanelpipelines.ingest.WindowSplitter;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelException;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.MixpanelRequestException;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.state.PartitionLedger;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.core.scope.context.ChunkContext;

/**
 * Fetches one multi-day request window into its spool (unless a complete one is there) and splits it into
 * one spool per day. A one-day window is left to its day's step, which downloads and converts it at once.
 * A refusal or an exhausted budget does not fail the step: the window's days are recorded as FAILED or
 * DEFERRED (a later run plans them again) and the days that were fetched still get converted.
 * Restartable: every stage is skipped once its result is complete on disk. Thread-safe (no state of its
 * own; the outcomes and the ledger are): step 1's partitions run it concurrently.
 */
public final class WindowFetchTasklet implements Tasklet {

    static final String WINDOW = "window";
    private static final Logger log = LoggerFactory.getLogger(WindowFetchTasklet.class);

    private final JobDefinition job;
    private final String runId;
    private final MixpanelExportClient client;
    private final DaySpools spools;
    private final PartitionLedger ledger;
    private final RunOutcomes outcomes;

    public WindowFetchTasklet(JobDefinition job, String runId, MixpanelExportClient client, DaySpools spools,
            PartitionLedger ledger, RunOutcomes outcomes) {
        this.job = job;
        this.runId = runId;
        this.client = client;
        this.spools = spools;
        this.ledger = ledger;
        this.outcomes = outcomes;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        String label = chunkContext.getStepContext().getStepExecution().getExecutionContext().getString(WINDOW);
        RequestWindow window = RequestWindow.decode(label).get(0);
        List<LocalDate> days = window.days();
        Map<LocalDate, Spool> daySpools = new LinkedHashMap<>();
        for (LocalDate d : days) {
            daySpools.put(d, spools.forDay(d));
        }
        if (daySpools.values().stream().allMatch(Spool::isComplete)) {
            log.info("{}: using the complete spool{} (no request)", label, days.size() > 1 ? "s" : "");
            return RepeatStatus.FINISHED;
        }
        if (days.size() == 1) {
            // a one-day window is the day's own request: its day step downloads it while converting it
            // (StreamedFetch), decoding the body once instead of twice
            log.debug("{}: fetched by its day step", label);
            return RepeatStatus.FINISHED;
        }
        ExportRequest request = spools.windowRequest(window.from(), window.to());
        Spool spool = spools.forRequest(request);
        try {
            if (!spool.isComplete()) {
                client.fetch(request, spool);
            }
            if (days.size() > 1) {
                long oversized = new WindowSplitter(job.mixpanel().timezone(), job.export().timeInMs())
                        .split(spool, daySpools);
                if (oversized == 0) {
                    spool.delete();
                }
            }
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
        } catch (InvalidJobException e) {
            days.forEach(d -> outcomes.put(d, DayStepListener.FATAL));
            throw e;
        }
        return RepeatStatus.FINISHED;
    }

    private static boolean isDeferral(MixpanelException e) {
        return e instanceof io.mixpanelpipelines.source.MixpanelRateLimitedException
                || e instanceof io.mixpanelpipelines.source.RequestBudgetExhaustedException;
    }
}
