package io.mixpanelpipelines.simulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server that behaves like Mixpanel's raw export endpoint {@code GET /api/2.0/export}:
 * Basic auth (service account or project secret), the hourly request limit, deterministic unordered
 * NDJSON with the awkward data real exports contain, gzip, and injectable faults; and like its engage
 * query {@code POST /api/query/engage} (profiles, paged by session, under the Query API's own limit; see
 * {@link EngageHandler}). Meant for tests,
 * demos and benchmarks; it listens on 127.0.0.1 only.
 *
 * <p>Thread-safe: requests are served concurrently and every accessor may be called from any thread.
 *
 * <pre>{@code
 * try (MixpanelSimulator sim = MixpanelSimulator.builder().projectSecret("s").build().start(0)) {
 *     URI base = sim.baseUri(); // the client appends /api/2.0/export
 * }
 * }</pre>
 */
public final class MixpanelSimulator implements AutoCloseable {

    private final String projectId;
    private final SimulatedProject project;
    private final FaultQueue faults = new FaultQueue();
    private final ExportHandler exportHandler;
    private final FaultQueue engageFaults = new FaultQueue();
    private final ProfileCatalog profiles;
    private final EngageHandler engageHandler;
    private final CountDownLatch closed = new CountDownLatch(1);
    private HttpServer server;
    private ExecutorService executor;

    private MixpanelSimulator(SimulatorSettings settings) {
        this.projectId = settings.projectId; // the builder is not kept: it may be reused and changed
        EventGenerator generator = new EventGenerator(settings.seed, settings.timezone, settings.bigEventEvery,
                settings.hourBoundaryEvents);
        this.project = new SimulatedProject(settings.seed, settings.eventsPerDay, settings.eventsOn, generator);
        List<String> secrets = new ArrayList<>();
        if (settings.serviceAccountSecret != null) {
            secrets.add(settings.serviceAccountSecret);
        }
        if (settings.projectSecret != null) {
            secrets.add(settings.projectSecret);
        }
        this.exportHandler = new ExportHandler(project,
                new CredentialCheck(settings.projectId, settings.serviceAccountUser, settings.serviceAccountSecret,
                        settings.projectSecret),
                new HourlyLimit(settings.hourlyLimit, settings.clock), faults, settings.clock, settings.timezone,
                secrets);
        this.profiles = new ProfileCatalog(settings.profiles, settings.seed,
                settings.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.HOURS), settings.rareProfileValues,
                settings.unseenProfileEvery);
        this.engageHandler = new EngageHandler(profiles,
                new CredentialCheck(settings.projectId, settings.serviceAccountUser, settings.serviceAccountSecret,
                        settings.projectSecret),
                new HourlyLimit(settings.queryLimit, settings.clock), engageFaults, settings.clock, settings.sessionExpiry);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts listening on 127.0.0.1.
     *
     * @param port the port, or 0 for an ephemeral one
     * @return this
     * @throws UncheckedIOException when the port cannot be bound
     */
    public synchronized MixpanelSimulator start(int port) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        executor = Executors.newCachedThreadPool(daemonThreads());
        server.setExecutor(executor);
        server.createContext(ExportHandler.PATH, exportHandler);
        server.createContext(EngageHandler.PATH, engageHandler);
        server.createContext(EngageHandler.LEGACY_PATH, engageHandler);
        server.createContext(ControlHandler.PREFIX + "/", new ControlHandler(faults, exportHandler::requestCount,
                () -> engageHandler.requests().size()));
        server.createContext("/", exchange -> {
            try (exchange) {
                ExportHandler.Responses.json(exchange, 404,
                        ExportHandler.Responses.error(exchange.getRequestURI().getPath(), "not found"));
            }
        });
        server.start();
        return this;
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public synchronized URI baseUri() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The faults waiting for the next export requests. */
    public FaultQueue faults() {
        return faults;
    }

    /** Every {@code /api/2.0/export} request received, whatever its outcome. */
    public int requestCount() {
        return exportHandler.requestCount();
    }

    /** The export requests handled so far, oldest first; never contains credentials. */
    public List<SimulatorRequest> requests() {
        return exportHandler.requests();
    }

    /** The faults waiting for the next engage (profile query) requests. */
    public FaultQueue engageFaults() {
        return engageFaults;
    }

    /** The engage requests handled so far, oldest first, with their form parameters; never credentials. */
    public List<SimulatorRequest> engageRequests() {
        return engageHandler.requests();
    }

    /**
     * Marks every {@code nth} user as seen at {@code at} (its {@code $last_seen}), as activity would;
     * returns their distinct ids.
     */
    public List<String> touchProfiles(int nth, java.time.Instant at) {
        return profiles.touch(nth, at);
    }

    /** Ends every engage session now: the next page of a query in progress is answered as expired. */
    public void expireEngageSessions() {
        engageHandler.expireSessions();
    }

    /**
     * The user profiles served to a query without filters: distinct id to {@code $properties} exactly as
     * served (JSON text).
     */
    public java.util.Map<String, String> expectedProfiles() {
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>();
        profiles.users().forEach(p -> all.put(p.distinctId(), p.propertiesJson(null)));
        return all;
    }

    /** The project id a service account must name in {@code project_id}. */
    public String projectId() {
        return projectId;
    }

    /**
     * Exactly the lines served for {@code day} without filters (without their newlines), in the order
     * served. Holds the whole day in memory: meant for test-sized days.
     */
    public List<String> expectedLines(LocalDate day, boolean timeInMs) {
        return project.lines(day, timeInMs);
    }

    /** Stops the server at once, dropping requests in flight. Idempotent. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
        closed.countDown();
    }

    /**
     * Runs a simulator until the JVM exits, for the CLI's {@code simulate} command: prints the base URL
     * on stdout, then blocks.
     *
     * @param serviceAccountUserColonSecret {@code user:secret}, or null/blank to accept only the project secret
     * @param projectSecret the project secret, or null/blank to accept only the service account
     */
    public static void runForeground(int port, long eventsPerDay, long seed, String projectSecret,
            String serviceAccountUserColonSecret) throws InterruptedException {
        runForeground(port, builder().eventsPerDay(eventsPerDay).seed(seed), projectSecret, serviceAccountUserColonSecret);
    }

    /** As {@link #runForeground(int, long, long, String, String)}, with the other settings of {@code builder}. */
    public static void runForeground(int port, Builder builder, String projectSecret, String serviceAccountUserColonSecret)
            throws InterruptedException {
        if (projectSecret != null && !projectSecret.isBlank()) {
            builder.projectSecret(projectSecret);
        }
        if (serviceAccountUserColonSecret != null && !serviceAccountUserColonSecret.isBlank()) {
            int colon = serviceAccountUserColonSecret.indexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("the service account must be given as user:secret");
            }
            builder.serviceAccount(serviceAccountUserColonSecret.substring(0, colon),
                    serviceAccountUserColonSecret.substring(colon + 1));
        }
        MixpanelSimulator simulator = builder.build().start(port);
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "mixpanel-simulator-shutdown"));
        System.out.println(simulator.baseUri());
        System.out.flush();
        // stdout stays the bare URI (scripts read it); the hint for a person goes to stderr
        System.err.println("Simulating Mixpanel project " + simulator.projectId() + ": use mixpanel.projectId: \""
                + simulator.projectId() + "\" and mixpanel.apiUrl: " + simulator.baseUri()
                + " in the job file (other project ids are refused)");
        System.err.flush();
        simulator.closed.await();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "mixpanel-simulator-" + counter.incrementAndGet());
            thread.setDaemon(true); // a forgotten simulator must not keep a test JVM alive
            return thread;
        };
    }

    /** Configures a {@link MixpanelSimulator}; every setting has a default ({@link SimulatorSettings}). Not thread-safe. */
    public static final class Builder extends SimulatorSettings {

        private Builder() {
        }

        /** @throws IllegalStateException when no credential is configured: nothing could authenticate */
        public MixpanelSimulator build() {
            if (serviceAccountUser == null && projectSecret == null) {
                throw new IllegalStateException("configure a service account, a project secret or both");
            }
            return new MixpanelSimulator(this);
        }
    }
}
