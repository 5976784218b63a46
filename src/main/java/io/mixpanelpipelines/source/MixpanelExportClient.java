package io.mixpanelpipelines.source;

/**
 * Downloads Mixpanel raw-export responses into spools. An implementation retries transient failures
 * itself (connection errors, timeouts, 5xx, a cut stream, a {@code terminated early} body, a 429) and is
 * the only layer that does; callers never loop around it.
 */
public interface MixpanelExportClient {

    /**
     * Fetches one request into {@code spool}, replacing anything incomplete in it. Returns only once the
     * whole body has been received and saved; the spool is then {@linkplain Spool#isComplete() complete}.
     *
     * @throws MixpanelAuthenticationException credentials refused or lacking access (retrying cannot help)
     * @throws MixpanelRequestException the request itself was refused (retrying cannot help)
     * @throws MixpanelRateLimitedException Mixpanel kept answering 429: defer the work
     * @throws MixpanelUnavailableException transient failures outlasted every attempt
     */
    default SpoolManifest fetch(ExportRequest request, Spool spool) {
        return fetch(request, spool, BodySink.NONE);
    }

    /**
     * Like {@link #fetch(ExportRequest, Spool)}, also handing the decoded body to {@code sink} as it
     * arrives, attempt by attempt (see {@link BodySink}), so that it can be converted while it downloads.
     * The spool is written and committed exactly as without a sink; {@link BodySink#complete} is called
     * only after the commit.
     */
    SpoolManifest fetch(ExportRequest request, Spool spool, BodySink sink);
}
