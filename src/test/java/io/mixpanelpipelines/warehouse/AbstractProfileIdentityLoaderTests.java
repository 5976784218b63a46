package io.mixpanelpipelines.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.WarehouseSettings;
import io.mixpanelpipelines.config.WarehouseType;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.state.jdbc.JdbcLoadLedger;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import io.mixpanelpipelines.support.ProfileIdentityFiles;
import io.mixpanelpipelines.support.ProfileIdentityFiles.Mapping;
import io.mixpanelpipelines.support.ProfileIdentityFiles.Profile;
import io.mixpanelpipelines.support.TestStateStore;
import io.mixpanelpipelines.warehouse.LoadSummary.DatasetLoad;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared set-up of the profile and identity load tests, once per warehouse that runs here: the destination's
 * folders written as issue 13's writers publish them, a real load ledger (H2 state store), the real
 * {@link DatasetLoadService} over the warehouse's {@link ProfileIdentityLoader}.
 */
abstract class AbstractProfileIdentityLoaderTests {

    static final LocalDate D1 = LocalDate.parse("2026-01-01");
    static final LocalDate D2 = LocalDate.parse("2026-01-02");
    static final LocalDate D3 = LocalDate.parse("2026-01-03");
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123456Z");

    @TempDir
    Path tmp;
    ProfileIdentityFiles files;
    ProfileIdentityLoader loader;
    DatasetLoadService service;

    abstract WarehouseType type();

    abstract ProfileIdentityLoader newLoader(Path tmp, LocalStorage storage) throws Exception;

    /** A new connection to the warehouse, for reading (and, in a test, for inserting events). */
    abstract Connection connect() throws Exception;

    /** The properties text as this warehouse gives it back. */
    abstract String stored(String propertiesJson) throws Exception;

    /** A decoded id as this warehouse gives it back (PostgreSQL text cannot hold U+0000). */
    abstract String storedText(String decoded);

    @BeforeEach
    void setUp() throws Exception {
        Path root = tmp.resolve("export");
        files = new ProfileIdentityFiles(root);
        LocalStorage storage = new LocalStorage();
        DataSource state = TestStateStore.empty("h2", tmp);
        TestStateStore.flyway(state, "h2").migrate();
        loader = newLoader(tmp, storage);
        WarehouseSettings w = new WarehouseSettings(type(), "unused", null, null, "mixpanel", "events", null, null, null);
        service = new DatasetLoadService("job", w, new JdbcLoadLedger(state), new DatasetFolders(storage,
                new DatasetLayout(Location.of(root), "123456")), loader, new PrintStream(new ByteArrayOutputStream()),
                Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        loader.close();
    }

    List<String> query(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** people-like rows as {@code distinct_id|properties|last_seen epoch micros}. */
    List<String> profiles(String table) throws Exception {
        return query("SELECT distinct_id, properties, " + epochMicros("last_seen") + " FROM mixpanel." + table).stream()
                .sorted().toList();
    }

    List<String> expected(List<Profile> rows) throws Exception {
        List<String> out = new ArrayList<>();
        for (Profile p : rows) {
            out.add(storedText(p.distinctId()) + "|" + stored(p.properties()) + "|"
                    + (p.lastSeen() == null ? null : java.time.temporal.ChronoUnit.MICROS.between(Instant.EPOCH, p.lastSeen())));
        }
        return out.stream().sorted().toList();
    }

    abstract String epochMicros(String column);

    /** Prepares the events table for rows of 2026-01-01 inserted by a test (PostgreSQL needs the day's partition). */
    void allowEventsOfTheFirstDay(Statement s) throws Exception {
    }

    static List<String> outcomes(List<DatasetLoad> loads) {
        return loads.stream().map(d -> d.dataset() + " " + d.date() + " " + d.outcome()).toList();
    }

    static Profile p(String id, String props, int minutes) {
        return new Profile(id, props, minutes < 0 ? null : T0.plusSeconds(60L * minutes));
    }

    static Mapping m(String id, String resolved, int minutes) {
        return new Mapping(id, resolved, T0.plusSeconds(60L * minutes));
    }

    /** Every valid (y_) document of the JSON test suite that is UTF-8, each the value of a profile's {@code v}. */
    static List<Profile> jsonSuiteProfiles() throws Exception {
        List<Profile> out = new ArrayList<>();
        Path corpus = Path.of("..", "shared", "testdata", "json-test-suite", "test_parsing");
        try (var s = Files.list(corpus)) {
            for (Path f : s.filter(x -> x.getFileName().toString().startsWith("y_")).sorted().toList()) {
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f))).toString();
                } catch (CharacterCodingException e) {
                    continue; // not UTF-8: never a served profile
                }
                out.add(new Profile(f.getFileName().toString(), "{\"v\":" + text.strip() + "}", null));
            }
        }
        return out;
    }
}
