package io.mixpanelpipelines.it.people;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} with a {@code people} section: exactly one engage request (a Query request, counted in the
 * Query budget) whether Mixpanel accepts the credentials or refuses them, a clear line either way, and never
 * the secret in the output.
 */
class PeopleCheckIntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void checkSpendsOneQueryRequestOnTheEngageApiAndSaysWhenTheCredentialsAreRefused() throws Exception {
        String h2 = "jdbc:h2:file:" + tmp.resolve("state/db") + ";AUTO_SERVER=TRUE";
        PeopleWorkspace w = new PeopleWorkspace(Files.createDirectories(tmp.resolve("job")),
                MixpanelSimulator.builder().profiles(3_000), h2, "requestsPerHour: 10");
        try {
            int code = w.ws.run("check", "--job", w.ws.jobFile.toString());

            assertThat(code).as("a new store: " + w.ws.lastOut + w.ws.lastErr).isZero();
            assertThat(w.ws.lastOut).contains("Mixpanel engage API (people): OK (the engage API answered one Query request "
                    + "(not counted in the Query budget: the state store is not migrated or not reachable))");
            assertThat(w.sim.engageRequests()).as("one Query request").hasSize(1).allMatch(r -> r.status() == 200);

            assertThat(w.ws.run("status", "--job", w.ws.jobFile.toString())).as("migrates the store: " + w.ws.lastErr).isZero();
            code = w.ws.run("check", "--job", w.ws.jobFile.toString());

            assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isZero();
            assertThat(w.ws.lastOut).contains("Mixpanel engage API (people): OK (the engage API answered one Query request (9 of")
                    .doesNotContain(w.secret);
            assertThat(w.sim.engageRequests()).as("one Query request").hasSize(2).allMatch(r -> r.status() == 200);
            assertThat(w.sim.requests()).as("no export request").isEmpty();

            String wrong = "wrong-secret-" + System.nanoTime();
            w.ws.env.put("IT_SA_SECRET", wrong);
            code = w.ws.run("check", "--job", w.ws.jobFile.toString());

            assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isEqualTo(2);
            assertThat(w.ws.lastOut).contains("Mixpanel engage API (people): FAILED: credentials refused: Mixpanel refused "
                    + "the credentials");
            assertThat(w.ws.lastOut + w.ws.lastErr).doesNotContain(wrong).doesNotContain(w.secret);
            assertThat(w.sim.engageRequests()).as("a refusal is not retried").hasSize(3);
            assertThat(w.sim.engageRequests().get(2).status()).isEqualTo(401);
        } finally {
            w.sim.close();
        }
    }
}
