package io.mixpanelpipelines.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.source.EngagePage;
import io.mixpanelpipelines.source.EngageQuery;
import io.mixpanelpipelines.source.EngageSessionExpiredException;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.MixpanelRequestException;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engage client over real HTTP against the simulator: form body, paging, retries and what it will not retry. */
class HttpEngageClientTests {

    private static final LocalDate DAY = LocalDate.of(2026, 3, 1);
    private final MixpanelSimulator sim = MixpanelSimulator.builder().projectId("42").serviceAccount("sa", "sa-secret-77")
            .profiles(2500).build().start(0);
    private final List<String> outcomes = new ArrayList<>();
    private final List<Duration> sleeps = new ArrayList<>();

    @AfterEach
    void stop() {
        sim.close();
    }

    private HttpEngageClient client(String secret) {
        ClientSettings settings = new ClientSettings(sim.baseUri(), "42", Duration.ofSeconds(5), Duration.ofSeconds(10), 4,
                Duration.ofMillis(100), Duration.ofSeconds(1), ClientSettings.DEFAULT_MAX_LINE_BYTES);
        RequestRecorder recorder = new RequestRecorder() {
            @Override
            public long beforeSend(ExportRequest request, int attempt) {
                assertThat(request.fromDate()).isEqualTo(DAY);
                return outcomes.size();
            }

            @Override
            public synchronized void completed(long requestId, int status, String outcome, long bytes) {
                outcomes.add(outcome);
            }
        };
        return new HttpEngageClient(settings, new MixpanelCredentials(Secret.of("sa"), Secret.of(secret), true, "service account (test)"),
                recorder, sleeps::add, ZoneOffset.UTC);
    }

    private static EngageQuery all() {
        return new EngageQuery(DAY, null, List.of(), null, null, null, null, 0);
    }

    @Test
    void readsAQueryPageByPageInItsSession() {
        HttpEngageClient client = client("sa-secret-77");
        EngagePage first = client.fetch(all());
        assertThat(first.total()).isEqualTo(2500);
        assertThat(first.profiles()).hasSize(1000);
        EngagePage third = client.fetch(all().next(first.sessionId(), 2));
        assertThat(third.profiles()).hasSize(500);
        assertThat(third.isLast(EngagePage.PAGE_SIZE)).isTrue();
        EngagePage.Profile p = third.profiles().get(0);
        assertThat(new String(third.properties(p), StandardCharsets.UTF_8)).isEqualTo(sim.expectedProfiles().get(p.distinctId()));
        assertThat(outcomes).containsExactly("ok", "ok");
    }

    @Test
    void transientFailuresAreRetriedAndEachAttemptIsRecorded() {
        sim.engageFaults().enqueue(Fault.status(503)).enqueue(Fault.cutMidStream()).enqueue(Fault.tooManyRequests(0));
        EngagePage page = client("sa-secret-77").fetch(all());
        assertThat(page.profiles()).hasSize(1000);
        assertThat(outcomes).hasSize(4).startsWith("http-503").endsWith("http-429", "ok");
        // a cut body ends as a broken connection or, when the stream just ends, as an unreadable page
        assertThat(outcomes.get(1)).isIn("connection-error", "unreadable");
        assertThat(sleeps).hasSize(3);
    }

    @Test
    void anExpiredSessionAnUnknownWhereAndRefusedCredentialsAreNotRetried() {
        HttpEngageClient client = client("sa-secret-77");
        assertThatThrownBy(() -> client.fetch(all().next("no-such-session", 1)))
                .isInstanceOf(EngageSessionExpiredException.class).hasMessageContaining("page 1");
        EngageQuery odd = new EngageQuery(DAY, "properties[\"plan\"] in [\"a\"]", List.of(), null, null, null, null, 0);
        assertThatThrownBy(() -> client.fetch(odd)).isInstanceOf(MixpanelRequestException.class)
                .hasMessageContaining("people section");
        assertThatThrownBy(() -> client("wrong-secret-99").fetch(all())).isInstanceOf(MixpanelAuthenticationException.class)
                .hasMessageContaining("refused the credentials").hasMessageNotContaining("wrong-secret-99");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void theFormCarriesOnlyWhatTheQuerySets() {
        EngageQuery q = new EngageQuery(DAY, "properties[\"$last_seen\"] >= \"2026-01-01T00:00:00\"", List.of("$name", "a\"b"),
                "{\"id\": 7}", false, null, null, 0);
        assertThat(HttpEngageClient.form(q)).isEqualTo("where=properties%5B%22%24last_seen%22%5D+%3E%3D+%222026-01-01T00%3A00%3A00%22"
                + "&output_properties=%5B%22%24name%22%2C%22a%5C%22b%22%5D&filter_by_cohort=%7B%22id%22%3A+7%7D"
                + "&include_all_users=false&page=0");
        client("sa-secret-77").fetch(q);
        Map<String, String> sent = sim.engageRequests().get(0).params();
        assertThat(sent).containsEntry("project_id", "42").containsEntry("include_all_users", "false")
                .containsEntry("output_properties", "[\"$name\",\"a\\\"b\"]");
    }
}
