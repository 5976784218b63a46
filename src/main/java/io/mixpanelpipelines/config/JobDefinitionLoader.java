package io.mixpanelpipelines.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.ApplicationConversionService;

/**
 * Reads and validates a job file. Every problem is reported at once, each with the path of its key
 * ({@code mixpanel.region: 'usa' is not one of us, eu, in}), before any request is made; a YAML syntax
 * error says its line and column. Unknown keys are refused so that a misspelt setting never silently
 * falls back to its default. Relative paths in a job file (spool, a plain-path destination, secret files,
 * a DuckDB file) are relative to the job file's folder. Thread-safe.
 *
 * <p>The steps: {@link JobFileTree} parses the YAML and checks its shape (keys spelled exactly, mappings,
 * lists and single values where they belong); Spring Boot's {@code Binder} binds it to {@link JobFile}
 * (defaults, durations such as {@code 10m}, sizes such as {@code 128MB}, enums), collecting every value it
 * cannot convert; {@link JobFileChecks} does what is left by hand: required keys, ranges, formats and the
 * keys that depend on each other.
 */
public final class JobDefinitionLoader {

    /** Loads a job file from disk. @throws InvalidJobException naming the file and every invalid key */
    public JobDefinition load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidJobException("job file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidJobException("cannot read job file " + file + ": " + e.getMessage());
        }
        try {
            return parse(text, folderOf(file));
        } catch (InvalidJobException e) {
            throw new InvalidJobException("job file " + file + " is invalid:\n" + e.getMessage());
        }
    }

    /** The folder a job file's relative paths are relative to: the file's own, as an absolute path. */
    public static Path folderOf(Path jobFile) {
        return jobFile.toAbsolutePath().normalize().getParent();
    }

    /** Parses job-file text that has no file: its relative paths are relative to the working directory. */
    public JobDefinition parse(String yaml) {
        return parse(yaml, Path.of("").toAbsolutePath());
    }

    /** Parses job-file text whose relative paths are relative to {@code base}. */
    public JobDefinition parse(String yaml, Path base) {
        JobFileTree tree = JobFileTree.parse(yaml);
        JobFileErrors errors = new JobFileErrors(tree);
        if (!tree.check(errors)) {
            throw errors.toException();
        }
        Binder binder = new Binder(List.of(new MapConfigurationPropertySource(tree.properties())), null,
                ApplicationConversionService.getSharedInstance());
        JobFile file = binder.bindOrCreate(ConfigurationPropertyName.EMPTY, Bindable.of(JobFile.class), errors);
        JobDefinition job = new JobFileChecks(errors, tree, base.toAbsolutePath()).check(file);
        if (!errors.isEmpty()) {
            throw errors.toException();
        }
        return job;
    }

    /**
     * Spring's cron has six fields (seconds first); the five-field form of crontab and Kubernetes is
     * accepted too and runs at second 0.
     */
    static String cron(String schedule) {
        if (schedule == null) {
            return null;
        }
        return schedule.trim().split("\\s+").length == 5 && !schedule.startsWith("@") ? "0 " + schedule.trim() : schedule.trim();
    }

    /** For tests and tools: the environment of this process. */
    public static Map<String, String> systemEnvironment() {
        return System.getenv();
    }
}
