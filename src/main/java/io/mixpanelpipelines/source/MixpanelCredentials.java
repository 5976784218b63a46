package io.mixpanelpipelines.source;

import io.mixpanelpipelines.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Resolved credentials for the export API. {@link #toString()} names only where they came from.
 *
 * @param username the service account's username, or the project secret (used as username)
 * @param password the service account's secret, or an empty secret for a project secret
 * @param serviceAccount true for a service account (sends {@code project_id}), false for a project secret
 * @param description where the credentials come from, e.g. "service account (environment variables
 *     MIXPANEL_SA_USERNAME, MIXPANEL_SA_SECRET)"
 */
public record MixpanelCredentials(Secret username, Secret password, boolean serviceAccount, String description) {

    /** The value of the HTTP Basic {@code Authorization} header. */
    public String authorizationHeader() {
        String pair = username.reveal() + ":" + password.reveal();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return description;
    }
}
