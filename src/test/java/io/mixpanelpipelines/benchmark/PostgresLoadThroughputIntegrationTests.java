package io.mixpanelpipelines.benchmark;

import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.warehouse.LocalParquetFiles;
import io.mixpanelpipelines.warehouse.PublishedDays;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mixpanelpipelines.warehouse.postgresql.PostgresWarehouseLoader;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows per second of one large day loaded into PostgreSQL (embedded server on the same machine). Off by
 * default; {@code -Dload.throughput=true}, {@code -Dload.rows=1000000}; figures go to stdout and
 * {@code target/load-throughput.txt}.
 */
class PostgresLoadThroughputIntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void oneLargeDay() throws Exception {
        assumeTrue(Boolean.getBoolean("load.throughput"), "set -Dload.throughput=true to measure");
        int rows = Integer.getInteger("load.rows", 1_000_000);
        PublishedDays days = new PublishedDays(tmp.resolve("export"));
        LocalDate d = LocalDate.parse("2026-01-01");
        PublishedDay day = days.publish(d, PublishedDays.lines(d, rows, "t"), "run1");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                PostgresWarehouseLoader loader = new PostgresWarehouseLoader(pg.getPostgresDatabase(), days.storage, "mixpanel", "events")) {
            loader.prepare();
            long start = System.nanoTime();
            long loaded = loader.load(day, n -> { });
            double seconds = (System.nanoTime() - start) / 1e9;
            long second = System.nanoTime();
            loader.load(day, n -> { });
            double reload = (System.nanoTime() - second) / 1e9;
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM mixpanel.events")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(rows);
            }
            long bytes = 0;
            for (Path p : LocalParquetFiles.of(day, days.storage).paths()) {
                bytes += Files.size(p);
            }
            String report = String.format("%,d rows (%,d Parquet bytes, %d files) loaded into PostgreSQL in %.1f s: %,.0f rows/s; "
                    + "loading the same day again (partition swap) %.1f s: %,.0f rows/s; %d cores%n", loaded, bytes,
                    day.files().size(), seconds, loaded / seconds, reload, loaded / reload, Runtime.getRuntime().availableProcessors());
            System.out.print(report);
            Files.writeString(Path.of("target/load-throughput.txt"), report);
        }
    }
}
