package io.mixpanelpipelines.config;

import java.net.URI;

/** Mixpanel's data residency regions and the raw-export host of each. */
public enum Region {
    US("https://data.mixpanel.com"),
    EU("https://data-eu.mixpanel.com"),
    IN("https://data-in.mixpanel.com");

    private final URI exportHost;

    Region(String exportHost) {
        this.exportHost = URI.create(exportHost);
    }

    public URI exportHost() {
        return exportHost;
    }
}
