package io.mixpanelpipelines.cli;

import java.util.Map;

/** Entry point of {@code target/mixpanel-pipelines.jar}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = new Cli(System.getenv(), System.out, System.err, Map.of()).run(args);
        System.exit(code);
    }
}
