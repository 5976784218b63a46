package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.day.ParquetSettings;
import io.mixpanelpipelines.people.PeopleExportService;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Sleeper;
import io.mixpanelpipelines.source.http.ClientSettings;
import io.mixpanelpipelines.source.http.HttpEngageClient;
import io.mixpanelpipelines.state.PeopleLedger;
import io.mixpanelpipelines.state.StateStoreRetry;
import io.mixpanelpipelines.state.jdbc.JdbcPeopleLedger;
import io.mixpanelpipelines.state.jdbc.JdbcRequestBudget;
import io.mixpanelpipelines.storage.Storage;
import java.time.Clock;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The services of the people datasets, beside {@link ExportRunConfiguration}'s: the people ledger and the
 * people export with its own engage client and Query API budget (not a {@code RequestBudget} bean: the
 * export's stays the only one). Every bean is thread-safe.
 */
@Configuration(proxyBeanMethods = false)
public class PeopleRunConfiguration {

    @Bean
    public PeopleLedger peopleLedger(DataSource dataSource, ObjectProvider<Clock> clock) {
        return new JdbcPeopleLedger(dataSource, clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    public PeopleExportService peopleExportService(JobDefinition job, MixpanelCredentials credentials, PeopleLedger ledger,
            Storage storage, String runId, DataSource dataSource, ObjectProvider<Clock> clockProvider,
            ObjectProvider<Sleeper> sleeperProvider, StateStoreRetry stateStoreRetry) {
        Clock clock = clockProvider.getIfAvailable(Clock::systemUTC);
        Sleeper sleeper = sleeperProvider.getIfAvailable(() -> Sleeper.SYSTEM);
        JdbcRequestBudget budget = queryBudget(job, dataSource, runId, clock, sleeper, stateStoreRetry);
        HttpEngageClient client = engageClient(job, credentials, budget, sleeper, job.export().maxAttempts());
        return new PeopleExportService(job, ledger, client, budget, storage, ParquetSettings.options(job), runId, clock);
    }

    /**
     * For {@code check}, outside a run's context: a people export whose only use is
     * {@link PeopleExportService#checkAccess(boolean)}, with a single attempt per request (a refusal or an error is
     * never retried, so the check spends at most one Query request).
     *
     * @param counted whether the request is recorded in the Query budget (false while the state store lacks its tables)
     */
    public static PeopleExportService forCheck(JobDefinition job, MixpanelCredentials credentials, DataSource dataSource,
            Storage storage, String stateStore, Clock clock, boolean counted) {
        String runId = "check-" + java.util.UUID.randomUUID();
        StateStoreRetry retry = new StateStoreRetry(stateStore, java.time.Duration.ZERO, Sleeper.SYSTEM);
        JdbcRequestBudget budget = queryBudget(job, dataSource, runId, clock, Sleeper.SYSTEM, retry);
        HttpEngageClient client = engageClient(job, credentials, counted ? budget : RequestRecorder.NONE, Sleeper.SYSTEM, 1);
        return new PeopleExportService(job, new JdbcPeopleLedger(dataSource, clock), client, budget, storage,
                ParquetSettings.options(job), runId, clock);
    }

    /** The project's Query API budget, shared through the state database by every job and process of the project. */
    public static JdbcRequestBudget queryBudget(JobDefinition job, DataSource dataSource, String runId, Clock clock,
            Sleeper sleeper, StateStoreRetry stateStoreRetry) {
        // without a people section the budget still answers status (the defaults), and nothing is requested
        JobDefinition.People p = job.people() != null ? job.people()
                : new JobDefinition.People(50, 3, null, null, java.util.List.of(), null, null, java.util.List.of(), 20);
        String projectKey = job.mixpanel().region().name().toLowerCase(Locale.ROOT) + ":" + job.mixpanel().projectId();
        return new JdbcRequestBudget(JdbcRequestBudget.Api.QUERY, dataSource, projectKey, job.name(),
                // the Query API documents no per-second limit, only 5 at once: 60 a second never binds
                runId, new JdbcRequestBudget.Limits(p.requestsPerHour(), 60, p.maxConcurrentRequests()),
                clock, sleeper, stateStoreRetry);
    }

    /**
     * The engage client of the job, spending {@code budget} on every attempt.
     *
     * @param maxAttempts attempts per page ({@code export.maxAttempts} for a run; 1 for {@code check})
     */
    public static HttpEngageClient engageClient(JobDefinition job, MixpanelCredentials credentials, RequestRecorder budget,
            Sleeper sleeper, int maxAttempts) {
        JobDefinition.Export e = job.export();
        ClientSettings settings = new ClientSettings(job.mixpanel().queryUrl(), job.mixpanel().projectId(),
                e.connectTimeout(), e.readTimeout(), maxAttempts, e.initialBackoff(), e.maxBackoff(),
                ClientSettings.DEFAULT_MAX_LINE_BYTES);
        return new HttpEngageClient(settings, credentials, budget, sleeper, job.mixpanel().timezone());
    }
}
