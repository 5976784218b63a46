package io.mixpanelpipelines.it.people;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.simulator.SimulatorRequest;
import io.mixpanelpipelines.support.ExportWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A people-export test's world: the simulator serving profiles, a job file with a {@code people} section, a
 * clock the test moves forward (real time plus a shift, so the budget's waits still end) shared by the
 * simulator's Query limit and the run's budget, and DuckDB reading the published snapshot back.
 */
final class PeopleWorkspace {

    /** The system clock shifted by what the test adds: an hour passes at once. */
    static final class ShiftedClock extends Clock {
        private final AtomicReference<Duration> shift;

        ShiftedClock(Duration start) {
            shift = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            shift.updateAndGet(s -> s.plus(d));
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(shift.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            ShiftedClock c = this;
            return new Clock() {
                @Override
                public Instant instant() {
                    return c.instant();
                }

                @Override
                public ZoneId getZone() {
                    return zone;
                }

                @Override
                public Clock withZone(ZoneId z) {
                    return c.withZone(z);
                }
            };
        }
    }

    final ShiftedClock clock;
    final String secret = "people-secret-" + System.nanoTime();
    final MixpanelSimulator sim;
    final ExportWorkspace ws;
    final Path dir;

    PeopleWorkspace(Path dir, MixpanelSimulator.Builder builder, String stateUrl, String... people) throws Exception {
        this(Duration.ZERO, dir, builder, stateUrl, people);
    }

    /**
     * A world whose clock starts {@code shift} after now. Tests that let hours pass start it at
     * {@link #nextDayStart()}, so that their runs stay within one snapshot day whatever the time of day the suite
     * runs: from about 20:00 UTC, four 61-minute steps can pass midnight, and the next run finds a new day's
     * snapshot to take.
     */
    PeopleWorkspace(Duration shift, Path dir, MixpanelSimulator.Builder builder, String stateUrl, String... people)
            throws Exception {
        this.dir = dir;
        this.clock = new ShiftedClock(shift);
        this.sim = builder.projectId("123456").serviceAccount("people-user", secret)
                .clock(clock).build().start(0);
        Map<String, Object> props = new HashMap<>();
        props.put("spring.datasource.url", stateUrl);
        props.put("pipelines.state.lock-lease", "6s");
        this.ws = new ExportWorkspace(dir, props).job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
        ws.clock = clock;
        ws.env.put("IT_SA_USER", "people-user");
        ws.env.put("IT_SA_SECRET", secret);
        StringBuilder section = new StringBuilder(people.length == 0 ? "people: {}\n" : "people:\n");
        for (String line : people) {
            section.append("  ").append(line).append('\n');
        }
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile) + section);
    }

    /** From now to a minute past the next UTC midnight. */
    static Duration nextDayStart() {
        Instant now = Instant.now();
        Instant midnight = now.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return Duration.between(now, midnight).plusMinutes(1);
    }

    int exportPeople() {
        return ws.run("export", "--job", ws.jobFile.toString(), "--only", "people");
    }

    /** Engage requests Mixpanel answered with a page. */
    List<SimulatorRequest> served() {
        return sim.engageRequests().stream().filter(r -> r.status() == 200).toList();
    }

    /** How many times each (where, page) was served: more than once is a page read again. */
    Map<String, Long> servedPages() {
        return served().stream().collect(Collectors.groupingBy(r -> r.params().getOrDefault("where", "") + " #"
                + r.params().getOrDefault("page", "0"), LinkedHashMap::new, Collectors.counting()));
    }

    Path snapshots(String dataset) {
        return ws.export.resolve("123456").resolve(dataset);
    }

    /** Every published snapshot folder of {@code dataset}. */
    List<Path> published(String dataset) throws Exception {
        if (!Files.isDirectory(snapshots(dataset))) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(snapshots(dataset))) {
            return s.filter(d -> Files.exists(d.resolve("_SUCCESS"))).sorted().toList();
        }
    }

    /** A snapshot folder read by DuckDB: distinct_id to properties (JSON text). */
    static Map<String, String> read(Path folder) throws Exception {
        Map<String, String> rows = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT distinct_id, CAST(properties AS VARCHAR) FROM read_parquet('"
                        + folder.resolve("part-*.parquet") + "')")) {
            while (rs.next()) {
                if (rows.put(rs.getString(1), rs.getString(2)) != null) {
                    throw new AssertionError("distinct_id " + rs.getString(1) + " twice in " + folder);
                }
            }
        }
        return rows;
    }

    /** DuckDB's answer to one query over a snapshot folder ({@code FROM people}), as text. */
    static String query(Path folder, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("CREATE VIEW people AS SELECT * FROM read_parquet('" + folder.resolve("part-*.parquet") + "')");
            try (ResultSet rs = s.executeQuery(sql)) {
                StringBuilder sb = new StringBuilder();
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                    }
                    sb.append('\n');
                }
                return sb.toString();
            }
        }
    }
}
