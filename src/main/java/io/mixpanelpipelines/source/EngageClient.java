package io.mixpanelpipelines.source;

/**
 * Reads pages of Mixpanel's engage query (user and group profiles). An implementation retries transient
 * failures itself (connection errors, timeouts, 5xx, a cut body) and spends the Query API budget on every
 * attempt; callers never loop around it, except to restart a query whose session expired.
 */
public interface EngageClient {

    /**
     * Fetches one page, whole.
     *
     * @throws EngageSessionExpiredException the query's session is gone: restart it from page 0
     * @throws RequestBudgetExhaustedException the Query API budget is spent: defer
     * @throws MixpanelAuthenticationException credentials refused or lacking access
     * @throws MixpanelRequestException the query itself was refused (an unknown {@code where}, a bad cohort)
     * @throws MixpanelRateLimitedException Mixpanel kept answering 429: defer
     * @throws MixpanelUnavailableException transient failures outlasted every attempt
     */
    EngagePage fetch(EngageQuery query);
}
