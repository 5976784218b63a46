package io.mixpanelpipelines.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration until Spring Boot applies {@code logback-spring.xml}: the same levels and
 * pattern, on stderr. Without it, a line logged before the application starts (the project-secret
 * warning, a job file problem) would go through Logback's default configuration, which writes to stdout
 * and breaks the JSON a machine reads there. Found by Logback through {@code META-INF/services}.
 */
public final class StderrLogConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
        context.getLogger("io.mixpanelpipelines").setLevel(Level.INFO);
        // the default configurators (logback.xml, then a console on stdout) must not add a second appender
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
