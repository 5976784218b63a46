package io.mixpanelpipelines.cli.command;

import java.util.List;
import java.util.function.Predicate;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Whether a command starts {@link PipelinesApplication} from the context Spring's ahead-of-time processing made
 * at build time (the pom's {@code process-aot}: its bean definitions as code, its step-scope proxies as classes,
 * {@code logback-spring.xml} as a parsed model) instead of reading its configuration classes, conditions and
 * logging file at start: about 0.25-0.35 s less of every command's start on 2 cores (docs/performance.md).
 *
 * <p>Only in a process the command line owns ({@link #allowInThisProcess()}, called by {@code Main}): Spring's
 * switch ({@code spring.aot.enabled}) is a system property, so the JVM's every later application would use
 * it, and {@code check}, {@code worker} and {@code schedule} have no processed context. Not when the build made
 * none (tests in-process, an IDE) or {@code -Dspring.aot.enabled=false} turns it off; and, decided on the
 * environment as Spring prepared it (files, {@code SPRING_APPLICATION_JSON}, variables, ...), not when it sets
 * what the processed context cannot follow ({@link #DECIDED_AT_BUILD}).
 */
public final class AheadOfTime implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    /** Spring's switch, read as a system property by Spring's own classes. */
    static final String ENABLED = "spring.aot.enabled";
    /** The class the processing made for {@link PipelinesApplication}, named after it. */
    static final String INITIALIZER = PipelinesApplication.class.getName() + "__ApplicationContextInitializer";
    /**
     * Read at build time, or not at all, by the processed context: a logging file of the user's (the parsed model
     * replaces it), the conditions on Flyway and on the pool's type, and added sources.
     */
    static final List<String> DECIDED_AT_BUILD = List.of("logging.config", "spring.flyway.enabled", "spring.datasource.type",
            "spring.main.sources");

    private static volatile boolean allowed;

    private AheadOfTime() {
    }

    /**
     * For {@code Main} only: this JVM runs one command and exits. A {@code spring.aot.enabled=true} of the user's
     * is left to this class, which turns it on where a processed context exists: set for the JVM, it would stop
     * {@code check}, {@code worker} and {@code schedule}, which have none.
     */
    public static void allowInThisProcess() {
        allowed = true;
        if ("true".equalsIgnoreCase(System.getProperty(ENABLED))) {
            System.clearProperty(ENABLED);
        }
    }

    /**
     * Decides for {@code application} and, when it is used, turns Spring's switch on for this JVM; the listener
     * returned then turns it off again if the prepared environment sets any of {@link #DECIDED_AT_BUILD}.
     *
     * @return the listener to add to the application, or null when the context is made at start
     */
    static ApplicationListener<ApplicationEnvironmentPreparedEvent> use(Class<?> application) {
        if (!decide(allowed, application, System.getProperty(ENABLED),
                name -> ClassUtils.isPresent(name, AheadOfTime.class.getClassLoader()))) {
            return null;
        }
        System.setProperty(ENABLED, "true");
        return new AheadOfTime();
    }

    static boolean decide(boolean allowed, Class<?> application, String switchValue, Predicate<String> classPresent) {
        return allowed
                && application == PipelinesApplication.class
                && !"false".equalsIgnoreCase(switchValue)
                && classPresent.test(INITIALIZER);
    }

    /** Whether {@code environment} sets what the processed context cannot follow. */
    static boolean needsStartFromClasses(Environment environment) {
        return DECIDED_AT_BUILD.stream().anyMatch(environment::containsProperty);
    }

    /** Whether Spring made {@code ctx} from a processed context: then it has no configuration class reader. */
    static boolean processed(ConfigurableApplicationContext ctx) {
        return !ctx.getBeanFactory().containsBeanDefinition(AnnotationConfigUtils.CONFIGURATION_ANNOTATION_PROCESSOR_BEAN_NAME);
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        if (needsStartFromClasses(event.getEnvironment())) {
            System.setProperty(ENABLED, "false");
        }
    }

    /** After the environment's files are read, before logging is set up and before the context is made. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 15;
    }
}
