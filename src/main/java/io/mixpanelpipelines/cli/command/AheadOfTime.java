package io.mixpanelpipelines.cli.command;

import java.util.Map;
import java.util.function.Predicate;
import org.springframework.util.ClassUtils;

/**
 * Whether a command starts {@link PipelinesApplication} from the context Spring's ahead-of-time processing made
 * at build time (the pom's {@code process-aot}: its bean definitions as code, its step-scope proxies as classes,
 * {@code logback-spring.xml} as a parsed model) instead of reading its configuration classes, conditions and
 * logging file at start: about 0.2-0.3 s less of every command's start on 2 cores (docs/performance.md).
 *
 * <p>Only in a process the command line owns ({@link #allowInThisProcess()}, called by {@code Main}): Spring's
 * switch ({@code spring.aot.enabled}) is a system property, so the JVM's every later application would use
 * it, and {@code check}, {@code worker} and {@code schedule} have no processed context (the last one's conditions
 * read the environment at start, e.g. its metrics export). Not when the build made none (tests in-process, an
 * IDE), when {@code -Dspring.aot.enabled=false} turns it off, or when the user names a logging configuration
 * of their own ({@code logging.config}, {@code LOGGING_CONFIG}): the processed context would not read it.
 */
public final class AheadOfTime {

    /** Spring's switch, read as a system property by Spring's own classes. */
    static final String ENABLED = "spring.aot.enabled";
    /** The class the processing made for {@link PipelinesApplication}, named after it. */
    static final String INITIALIZER = PipelinesApplication.class.getName() + "__ApplicationContextInitializer";

    private static volatile boolean allowed;

    private AheadOfTime() {
    }

    /** For {@code Main} only: this JVM runs one command and exits. */
    public static void allowInThisProcess() {
        allowed = true;
    }

    /**
     * Decides for {@code application} and, when it is used, turns Spring's switch on for this JVM.
     *
     * @param properties the command's own Spring properties (tests, tools), which may name a logging file
     */
    static boolean use(Class<?> application, Map<String, String> environment, Map<String, Object> properties) {
        boolean use = decide(allowed, application, System.getProperty(ENABLED), environment, properties,
                System.getProperty("logging.config"), name -> ClassUtils.isPresent(name, AheadOfTime.class.getClassLoader()));
        if (use) {
            System.setProperty(ENABLED, "true");
        }
        return use;
    }

    static boolean decide(boolean allowed, Class<?> application, String switchValue, Map<String, String> environment,
            Map<String, Object> properties, String loggingConfigProperty, Predicate<String> classPresent) {
        return allowed
                && application == PipelinesApplication.class
                && !"false".equalsIgnoreCase(switchValue)
                && loggingConfigProperty == null
                && !environment.containsKey("LOGGING_CONFIG")
                && !properties.containsKey("logging.config")
                && classPresent.test(INITIALIZER);
    }
}
