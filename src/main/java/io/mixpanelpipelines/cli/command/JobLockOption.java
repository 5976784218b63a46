package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.state.JobLock;
import io.mixpanelpipelines.state.JobLockedException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Option;

/**
 * The {@code --wait[=DURATION]} option of the commands that change a job's state ({@code export},
 * {@code rerun}, {@code load}), and the job lock they run under. Without {@code --wait}, a command whose job
 * another run holds exits {@value RunSummary#DEFERRED} at once with one line naming the holder; with it, the
 * command waits for the lock (for ever, or at most DURATION, e.g. {@code 10m}) and then runs.
 */
public final class JobLockOption {

    /** What {@code --wait} alone means: as long as it takes. */
    static final Duration FOREVER = Duration.ofDays(365_000);

    @Option(names = "--wait", arity = "0..1", paramLabel = "DURATION", fallbackValue = "forever",
            description = "when another run holds the job's lock, wait for it (at most DURATION, e.g. 30s, 10m) "
                    + "instead of exiting 75")
    String wait;

    /** How long to wait for the lock: zero without {@code --wait}. */
    Duration waitFor() {
        if (wait == null) {
            return Duration.ZERO;
        }
        if (wait.equals("forever")) {
            return FOREVER;
        }
        try {
            Duration d = DurationStyle.detectAndParse(wait);
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException("--wait '" + wait + "' is not a duration such as 30s, 10m or 1h");
        }
    }

    /**
     * Runs {@code command} holding the lock of the context's job and returns its exit code; without the
     * lock, prints who holds it and returns {@value RunSummary#DEFERRED}. A run whose lease was lost on the
     * way (the state store out of reach longer than the lease, and another run took over) fails.
     */
    public int hold(ConfigurableApplicationContext ctx, PrintStream err, IntSupplier command) {
        Duration waitFor = waitFor();
        String job = ctx.getBean(JobDefinition.class).name();
        JobLock locks = ctx.getBean(JobLock.class);
        try (JobLock.Held held = locks.acquire(job, waitFor)) {
            int code = command.getAsInt();
            if (held.lost()) {
                err.println("error: the lock of job '" + job + "' was lost during the run (its lease of "
                        + locks.lease().toSeconds() + "s ran out and another run took it); run the command again");
                return code == RunSummary.OK ? RunSummary.FAILED : code;
            }
            return code;
        } catch (JobLockedException e) {
            err.println("error: " + e.getMessage());
            return RunSummary.DEFERRED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted while waiting for the lock of job '" + job + "'");
            return RunSummary.DEFERRED;
        }
    }
}
