package io.mixpanelpipelines.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a credential comes from: an environment variable or a mounted file, never the job file itself.
 *
 * @param key the job-file key that named it (for error messages), e.g. {@code mixpanel.auth.projectSecretEnv}
 * @param env the environment variable's name, or null
 * @param file the file's path, or null
 */
public record SecretSource(String key, String env, Path file) {

    /**
     * Reads the secret.
     *
     * @throws InvalidJobException when the variable is unset or empty, or the file cannot be read; the
     *     message names the variable or file, never a value
     */
    public Secret resolve(Map<String, String> environment) {
        if (env != null) {
            String value = environment.get(env);
            if (value == null || value.isBlank()) {
                throw new InvalidJobException(key + ": environment variable " + env + " is not set or empty");
            }
            return Secret.of(value.strip());
        }
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw new InvalidJobException(key + ": file " + file + " is empty");
            }
            return Secret.of(value);
        } catch (IOException e) {
            throw new InvalidJobException(key + ": cannot read file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Reads several secrets, reporting every one that is missing at once rather than the first only.
     *
     * @return the secrets, in the order of {@code sources}
     * @throws InvalidJobException one message naming every variable or file that is missing: the message of
     *     {@link #resolve} when only one is, else one line per source under {@code N credentials are missing:}
     */
    public static List<Secret> resolveAll(Map<String, String> environment, SecretSource... sources) {
        List<Secret> secrets = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (SecretSource source : sources) {
            try {
                secrets.add(source.resolve(environment));
            } catch (InvalidJobException e) {
                missing.add(e.getMessage());
            }
        }
        if (missing.size() == 1) {
            throw new InvalidJobException(missing.get(0));
        }
        if (!missing.isEmpty()) {
            throw new InvalidJobException(missing.size() + " credentials are missing:\n  - " + String.join("\n  - ", missing));
        }
        return secrets;
    }

    /** Describes the source without its value, e.g. {@code environment variable MIXPANEL_API_SECRET}. */
    public String describe() {
        return env != null ? "environment variable " + env : "file " + file;
    }
}
