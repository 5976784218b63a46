package io.mixpanelpipelines.cli.command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a one-shot export runs: SIGINT (Ctrl-C) or SIGTERM (Kubernetes, Airflow, systemd) asks Spring
 * Batch to stop the running job execution, so every day stops at its next checkpoint and the command
 * returns normally, prints where it stopped and exits with {@link #exitCode()}. A second signal ends the
 * process at once (what a checkpoint already saved is still safe; the rest is redone).
 *
 * <p>Signal handlers rather than a shutdown hook: a hook runs while the JVM is already shutting down, so
 * Spring's own hook would close the application under the running job. The previous handlers are put
 * back on {@link #close()}, so an in-process caller (tests) keeps its own.
 */
final class StopOnSignal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StopOnSignal.class);
    /** 128 + the signal's number: how a shell reports a process ended by the signal. */
    static final int SIGINT_EXIT = 130;
    static final int SIGTERM_EXIT = 143;

    private final ConfigurableApplicationContext ctx;
    private final AtomicReference<String> received = new AtomicReference<>();
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private StopOnSignal(ConfigurableApplicationContext ctx) {
        this.ctx = ctx;
    }

    /** Installs the handlers for SIGINT and SIGTERM (where the platform has them). */
    static StopOnSignal install(ConfigurableApplicationContext ctx) {
        StopOnSignal s = new StopOnSignal(ctx);
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal signal = new Signal(name);
                s.previous.add(Signal.handle(signal, s::handle));
                s.signals.add(signal);
            } catch (IllegalArgumentException e) {
                // the JVM reserves it (e.g. -Xrs) or the platform lacks it: that signal keeps its default
                log.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        return s;
    }

    private void handle(Signal signal) {
        String name = "SIG" + signal.getName();
        if (!received.compareAndSet(null, name)) {
            System.err.println(name + " again: stopping now, without waiting for the checkpoint");
            Runtime.getRuntime().halt(exitCode(name));
        }
        System.err.println(name + ": stopping at the next checkpoint (send it again to stop at once)");
        // on its own thread: the signal dispatcher must not wait on the state database
        Thread stopper = new Thread(this::stopRunningExecutions, "stop-on-" + name);
        stopper.setDaemon(true);
        stopper.start();
    }

    private void stopRunningExecutions() {
        try {
            JobRepository repository = ctx.getBean(JobRepository.class);
            JobOperator operator = ctx.getBean(JobOperator.class);
            // this job's executions only: the state database may be shared by other jobs' processes
            String jobName = ctx.getBean(Job.class).getName();
            for (JobExecution execution : repository.findRunningJobExecutions(jobName)) {
                operator.stop(execution);
                log.info("asked execution {} of {} to stop at its next checkpoint", execution.getId(), jobName);
            }
        } catch (Exception e) {
            log.warn("cannot stop the running export: {}", e.getMessage());
        }
    }

    /** The signal received, e.g. {@code SIGTERM}, or null. */
    String received() {
        return received.get();
    }

    /** 130 after SIGINT, 143 after SIGTERM. */
    int exitCode() {
        return exitCode(received.get());
    }

    private static int exitCode(String signal) {
        return "SIGINT".equals(signal) ? SIGINT_EXIT : SIGTERM_EXIT;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
