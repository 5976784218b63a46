package io.mixpanelpipelines.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Missing credentials are reported together. */
class SecretSourceTests {

    private final SecretSource user = new SecretSource("mixpanel.auth.serviceAccount.usernameEnv", "SA_USER", null);
    private final SecretSource secret = new SecretSource("mixpanel.auth.serviceAccount.secretEnv", "SA_SECRET", null);

    @Test
    void everyMissingVariableIsNamedInOneError() {
        assertThatThrownBy(() -> SecretSource.resolveAll(Map.of("OTHER", "value-of-other"), user, secret))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("2 credentials are missing:\n"
                        + "  - mixpanel.auth.serviceAccount.usernameEnv: environment variable SA_USER is not set or empty\n"
                        + "  - mixpanel.auth.serviceAccount.secretEnv: environment variable SA_SECRET is not set or empty");
    }

    @Test
    void oneMissingVariableKeepsItsOwnMessageAndValuesAreNeverShown() {
        assertThatThrownBy(() -> SecretSource.resolveAll(Map.of("SA_USER", "user-value-77"), user, secret))
                .hasMessage("mixpanel.auth.serviceAccount.secretEnv: environment variable SA_SECRET is not set or empty")
                .hasMessageNotContaining("user-value-77");
    }

    @Test
    void allPresentGivesThemInOrder() {
        assertThat(SecretSource.resolveAll(Map.of("SA_USER", "u1", "SA_SECRET", "s1"), user, secret))
                .extracting(Secret::reveal).containsExactly("u1", "s1");
        assertThat(SecretSource.resolveAll(Map.of())).isEmpty();
    }
}
