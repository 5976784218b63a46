package io.mixpanelpipelines.source;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.config.SecretSource;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a job's credentials from the environment or mounted files, before any request is made. */
public final class CredentialsResolver {

    private static final Logger log = LoggerFactory.getLogger(CredentialsResolver.class);

    private CredentialsResolver() {
    }

    /**
     * @throws io.mixpanelpipelines.config.InvalidJobException naming every variable or file that is missing
     */
    public static MixpanelCredentials resolve(JobDefinition.Auth auth, Map<String, String> environment) {
        if (auth.isServiceAccount()) {
            // both at once: an operator fixes every missing variable in one go
            List<Secret> pair = SecretSource.resolveAll(environment, auth.serviceAccountUsername(), auth.serviceAccountSecret());
            Secret user = pair.get(0);
            Secret secret = pair.get(1);
            return new MixpanelCredentials(user, secret, true, "service account ("
                    + auth.serviceAccountUsername().describe() + ", " + auth.serviceAccountSecret().describe() + ")");
        }
        Secret secret = auth.projectSecret().resolve(environment);
        warnIfProjectSecret(auth);
        return new MixpanelCredentials(secret, Secret.of(""), false, "project secret ("
                + auth.projectSecret().describe() + ")");
    }

    /**
     * Logs that project secrets are being retired when {@code auth} uses one; also for commands that never
     * resolve the secret (they send no request), since the job file is what must change.
     */
    public static void warnIfProjectSecret(JobDefinition.Auth auth) {
        if (auth != null && !auth.isServiceAccount()) {
            log.warn("mixpanel.auth uses a project secret ({}): Mixpanel retires project secrets on 2027-03-03; "
                    + "switch to a service account (mixpanel.auth.serviceAccount)", auth.projectSecret().describe());
        }
    }
}
