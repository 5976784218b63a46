package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.config.SecretSource;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DestinationProbe;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.storage.support.StorageFactory;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import io.mixpanelpipelines.warehouse.support.WarehouseLoaders;
import io.mixpanelpipelines.job.PeopleRunConfiguration;
import io.mixpanelpipelines.people.PeopleExportService;
import io.mixpanelpipelines.source.CredentialsResolver;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelCredentials;
import java.util.List;
import javax.sql.DataSource;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code check --job FILE}: everything a run needs that can be checked without spending an export
 * request, one line per check ({@code OK} or {@code FAILED} and why): the job file, the presence of every
 * credential (all missing ones at once), the destination (the probe file {@code export} writes and
 * deletes before its first request), the state store (connect, and whether its Flyway migrations are
 * current; never migrates), the warehouse when the job has one ({@code SELECT 1}), and when the job has a
 * {@code people} section the engage API (one Query request, counted in the Query budget). Ends with what it
 * cannot check: whether Mixpanel's export API accepts the secret. Exit 0 when every check passes, 2
 * otherwise. Sends nothing to the export API and takes no lock.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check the job file, the credentials' presence, the destination, the state store and the warehouse "
                + "without sending an export request to Mixpanel; with a people section, the engage API (one Query request).")
public final class CheckCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();

    private final CommandContext context;
    private boolean failed;

    public CheckCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        JobDefinition job;
        try {
            job = new JobDefinitionLoader().load(jobFile.path);
            ok("job file " + jobFile.path.toAbsolutePath().normalize(), "job '" + job.name() + "'");
        } catch (InvalidJobException e) {
            fail("job file " + jobFile.path.toAbsolutePath().normalize(), e.getMessage());
            return RunSummary.INVALID;
        }
        credentials(job);
        DatasetLayout layout = new DatasetLayout(job.destination().uri(), job.mixpanel().projectId());
        Storage storage = destination(job, layout);
        boolean credentialsPresent = !failed;
        Storage probeStorage = storage;
        context.withStateStore(jobFile.path, job, ctx -> {
            boolean current = stateStore(ctx);
            if (job.people() != null) {
                people(ctx, job, probeStorage, credentialsPresent, current);
            }
            return 0;
        });
        if (job.warehouse() != null) {
            warehouse(job, storage, layout);
        }
        context.out().println("Mixpanel secret: NOT CHECKED: only an export request can tell whether Mixpanel accepts it "
                + "(export stops at its first refusal and spends no other request)");
        return failed ? RunSummary.INVALID : RunSummary.OK;
    }

    private void credentials(JobDefinition job) {
        List<SecretSource> sources = job.secretSources(true, job.warehouse() != null);
        if (sources.isEmpty()) {
            ok("credentials", "none needed" + (job.simulator() != null ? " (the built-in simulator)" : ""));
            return;
        }
        try {
            SecretSource.resolveAll(context.environment(), sources.toArray(SecretSource[]::new));
            ok("credentials", "present: " + sources.stream().map(SecretSource::describe).collect(Collectors.joining(", ")));
        } catch (InvalidJobException e) {
            fail("credentials", e.getMessage());
        }
    }

    private Storage destination(JobDefinition job, DatasetLayout layout) {
        String name = "destination " + layout.root();
        try {
            Storage storage = StorageFactory.create(job.destination().uri(), job.destination().s3(), job.destination().gcs());
            DestinationProbe.check(storage, layout, job.mixpanel().projectId(), "check-" + UUID.randomUUID());
            ok(name, "wrote and deleted a probe file");
            return storage;
        } catch (RuntimeException e) {
            fail(name, e.getMessage());
            return null;
        }
    }

    /** @return whether the store is reachable and its migrations current (what the people check's budget needs) */
    private boolean stateStore(ConfigurableApplicationContext ctx) {
        String name = "state store " + CommandContext.stateStore(ctx);
        try {
            MigrationInfoService info = ctx.getBean(Flyway.class).info();
            MigrationInfo current = info.current();
            List<MigrationInfo> failedMigrations = List.of(info.all()).stream().filter(m -> m.getState().isFailed()).toList();
            int pending = info.pending().length;
            if (!failedMigrations.isEmpty()) {
                fail(name, "migration " + failedMigrations.get(0).getVersion() + " failed ("
                        + failedMigrations.get(0).getState().getDisplayName() + "); repair the store before a run");
            } else if (pending == 0) {
                ok(name, "connected; migrations current (version " + current.getVersion() + ")");
            } else {
                ok(name, "connected; migrations NOT current: " + (current == null ? "a new store" : "at version " + current.getVersion())
                        + ", " + pending + " to apply (the next export, rerun, load, status or plan applies them)");
            }
            if (List.of(info.all()).stream().anyMatch(m -> m.getState() == MigrationState.FUTURE_SUCCESS)) {
                context.out().println("  note: the store has migrations newer than this build");
            }
            return failedMigrations.isEmpty() && pending == 0;
        } catch (RuntimeException e) {
            fail(name, "cannot connect: " + rootMessage(e));
            return false;
        }
    }

    /**
     * The job's {@code people} section: one engage request (of the Query API's hourly limit, counted in the
     * project's Query budget like a run's once the state store is migrated), with a single attempt. Mixpanel offers no cheaper test of Query API
     * access to a project: {@code /api/app/me} authenticates a service account but not its role on the
     * project, and does not take a project secret.
     */
    private void people(ConfigurableApplicationContext ctx, JobDefinition job, Storage storage, boolean credentialsPresent,
            boolean stateCurrent) {
        String name = "Mixpanel engage API (people)";
        if (job.simulator() != null) {
            ok(name, "not requested: the built-in simulator serves the profiles");
            return;
        }
        if (!credentialsPresent) {
            fail(name, "not checked: the credentials are missing");
            return;
        }
        try {
            MixpanelCredentials credentials = CredentialsResolver.resolve(job.mixpanel().auth(), context.environment());
            PeopleExportService service = PeopleRunConfiguration.forCheck(job, credentials, ctx.getBean(DataSource.class), storage,
                    CommandContext.stateStore(ctx), context.clock(), stateCurrent);
            ok(name, service.checkAccess(stateCurrent));
        } catch (MixpanelAuthenticationException e) {
            fail(name, "credentials refused: " + e.getMessage());
        } catch (RuntimeException e) {
            fail(name, rootMessage(e));
        }
    }

    private void warehouse(JobDefinition job, Storage storage, DatasetLayout layout) {
        String name = "warehouse " + job.warehouse().target();
        if (storage == null) {
            fail(name, "not checked: the destination failed");
            return;
        }
        try (WarehouseLoader loader = WarehouseLoaders.create(job.warehouse(), context.environment(), storage, layout)) {
            loader.checkConnection();
            ok(name, "connected; SELECT 1 answered");
        } catch (RuntimeException e) {
            fail(name, rootMessage(e));
        }
    }

    private void ok(String check, String detail) {
        context.out().println(check + ": OK (" + detail + ")");
    }

    private void fail(String check, String why) {
        failed = true;
        context.out().println(check + ": FAILED: " + why);
    }

    /** The innermost message: a pool's or Spring's wrapper adds nothing an operator can act on. */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof InvalidJobException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
