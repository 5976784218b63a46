package io.mixpanelpipelines.cli;

import io.mixpanelpipelines.cli.command.AheadOfTime;
import java.util.Map;

/** Entry point of {@code target/mixpanel-pipelines.jar}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Spring Boot warms up web and validation libraries on a background thread; no command uses them,
        // and on a small machine that thread competes with the export for a core while it starts
        System.setProperty("spring.backgroundpreinitializer.ignore", "true");
        // this JVM runs one command: it may start from the build's ahead-of-time processed Spring context
        AheadOfTime.allowInThisProcess();
        int code = new Cli(System.getenv(), System.out, System.err, Map.of()).run(args);
        System.exit(code);
    }
}
