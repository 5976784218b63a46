package io.mixpanelpipelines.job;

import io.mixpanelpipelines.ingest.WindowSplitter;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelException;
import io.mixpanelpipelines.source.MixpanelRequestException;
import io.mixpanelpipelines.source.Spool;
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
 * Restartable: every stage is skipped once its result is complete on disk.
 */
public final class WindowFetchTasklet implements Tasklet {

    static final String WINDOW = "window";
    private static final Logger log = LoggerFactory.getLogger(WindowFetchTasklet.class);

    private final ExportContext ctx;

    public WindowFetchTasklet(ExportContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        String label = chunkContext.getStepContext().getStepExecution().getExecutionContext().getString(WINDOW);
        RequestWindow window = RequestWindow.decode(label).get(0);
        List<LocalDate> days = window.days();
        Map<LocalDate, Spool> daySpools = new LinkedHashMap<>();
        for (LocalDate d : days) {
            daySpools.put(d, ctx.spools().forRequest(ExportContext.dayRequest(ctx.job(), d)));
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
        ExportRequest request = new ExportRequest(window.from(), window.to(), ctx.job().export().events(), null, null,
                ctx.job().export().timeInMs());
        Spool spool = ctx.spools().forRequest(request);
        try {
            if (!spool.isComplete()) {
                ctx.client().fetch(request, spool);
            }
            if (days.size() > 1) {
                long oversized = new WindowSplitter(ctx.job().mixpanel().timezone(), ctx.job().export().timeInMs())
                        .split(spool, daySpools);
                if (oversized == 0) {
                    spool.delete();
                }
            }
        } catch (MixpanelException e) {
            String code = e instanceof MixpanelAuthenticationException || e instanceof MixpanelRequestException
                    ? DayStepListener.FATAL : e.isRetryableLater() && isDeferral(e) ? DayStepListener.DEFERRED : "FAILED";
            for (LocalDate d : days) {
                ctx.outcomes().put(d, code);
            }
            if (code.equals(DayStepListener.DEFERRED)) {
                ctx.ledger().deferred(ctx.job().name(), days, ctx.runId(), e.getMessage());
                log.warn("{}: deferred: {}", label, e.getMessage());
            } else {
                for (LocalDate d : days) {
                    ctx.ledger().failed(ctx.job().name(), d, ctx.runId(), e.getMessage());
                }
                log.error("{}: failed: {}", label, e.getMessage());
            }
        } catch (InvalidJobException e) {
            days.forEach(d -> ctx.outcomes().put(d, DayStepListener.FATAL));
            throw e;
        }
        return RepeatStatus.FINISHED;
    }

    private static boolean isDeferral(MixpanelException e) {
        return e instanceof io.mixpanelpipelines.source.MixpanelRateLimitedException
                || e instanceof io.mixpanelpipelines.source.RequestBudgetExhaustedException;
    }
}
