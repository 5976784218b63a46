package io.mixpanelpipelines.config;

import java.net.URI;

/** Mixpanel's data residency regions and the raw-export and Query API hosts of each. */
public enum Region {
    US("https://data.mixpanel.com", "https://mixpanel.com"),
    EU("https://data-eu.mixpanel.com", "https://eu.mixpanel.com"),
    IN("https://data-in.mixpanel.com", "https://in.mixpanel.com");

    private final URI exportHost;
    private final URI queryHost;

    Region(String exportHost, String queryHost) {
        this.exportHost = URI.create(exportHost);
        this.queryHost = URI.create(queryHost);
    }

    /** The Query API's host (engage, reports): not the export host. */
    public URI queryHost() {
        return queryHost;
    }

    public URI exportHost() {
        return exportHost;
    }
}
