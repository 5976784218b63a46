package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.convert.parquet.IdentityParquetWriter;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.TreeSet;
import java.util.SortedSet;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a day's identity mappings in two steps, so that they follow the day's events crash-safely:
 * {@link #stage} writes the file and its manifest under the staging folder before the events are published;
 * {@link #publish} then copies it over the day's {@code part-00000.parquet} (one file, replaced at once),
 * writes {@code _SUCCESS} and only then deletes the staged copy. A crash anywhere in between leaves the
 * staged copy, which the next run publishes ({@link #stagedDays}). Thread-safe (no state of its own).
 */
public final class IdentityPublisher {

    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();
    private static final String STAGED_MANIFEST = "_STAGED";
    private static final java.util.regex.Pattern DAY_FOLDER = java.util.regex.Pattern.compile("/date=(\\d{4}-\\d{2}-\\d{2})/[^/]+$");

    private final Storage storage;
    private final IdentityLayout layout;
    private final ParquetWriterOptions options;

    public IdentityPublisher(Storage storage, IdentityLayout layout, ParquetWriterOptions options) {
        this.storage = storage;
        this.layout = layout;
        this.options = options;
    }

    public IdentityLayout layout() {
        return layout;
    }

    /**
     * Writes {@code mappings} of {@code day}, derived from the events of content {@code eventsContent} published
     * by {@code eventsRunId}, to the staging folder (replacing whatever was staged for the day before), row by
     * row as they are merged: the memory it takes does not grow with the day.
     */
    public IdentityManifest stage(LocalDate day, String eventsContent, String eventsRunId, DayIdentities mappings)
            throws IOException {
        discardStaged(day);
        Location part = layout.staged(day, eventsContent);
        IdentityParquetWriter w = new IdentityParquetWriter(storage.newOutputFile(part), options);
        try (DayIdentities.Rows rows = mappings.rows()) { // streamed: written as they are merged
            while (rows.advance()) { // as bytes: no string per row
                w.write(rows.idBytes(), rows.idLength(), rows.resolvedBytes(), rows.resolvedLength(), rows.firstSeenMicros());
            }
            w.close();
        } catch (java.io.UncheckedIOException e) {
            w.abort();
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            w.abort();
            throw e;
        }
        IdentityManifest manifest = new IdentityManifest(IdentityManifest.SCHEMA_VERSION, layout.projectId(), day,
                eventsContent, eventsRunId, w.rows(), Instant.now());
        write(layout.staging(day).resolve(STAGED_MANIFEST), manifest); // last: a staged day is complete with it
        return manifest;
    }

    /** The manifest of what is staged for {@code day}, if a complete file is. */
    public Optional<IdentityManifest> staged(LocalDate day) throws IOException {
        return read(layout.staging(day).resolve(STAGED_MANIFEST))
                .filter(m -> existsQuietly(layout.staged(day, m.eventsContent())));
    }

    /**
     * Publishes what {@link #stage} left for {@code day} (idempotent: after a crash half-way, publishing
     * again ends in the same folder), and returns its manifest.
     *
     * @throws java.nio.file.NoSuchFileException when nothing complete is staged for the day
     */
    public IdentityManifest publish(LocalDate day) throws IOException {
        IdentityManifest manifest = staged(day).orElseThrow(() -> new java.nio.file.NoSuchFileException(
                layout.staging(day) + " (no staged identity mappings for " + day + ")"));
        PositionOutputStream out = storage.newOutputFile(layout.part(day)).create();
        try (InputStream in = storage.open(layout.staged(day, manifest.eventsContent()))) {
            in.transferTo(out);
            out.close();
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
        write(layout.manifest(day), manifest);
        for (FileEntry f : storage.list(layout.day(day))) { // nothing but the two files: a reader globs the folder
            String name = f.location().fileName();
            if (!name.equals(IdentityLayout.PART) && !name.equals(IdentityLayout.MANIFEST)) {
                storage.delete(f.location());
            }
        }
        discardStaged(day);
        return manifest;
    }

    /** The manifest of the day's published mappings, if any. */
    public Optional<IdentityManifest> read(LocalDate day) throws IOException {
        return read(layout.manifest(day));
    }

    /** Days with something staged (complete or not): what a crash left between the events and their mappings. */
    public SortedSet<LocalDate> stagedDays() throws IOException {
        SortedSet<LocalDate> days = new TreeSet<>();
        for (FileEntry f : storage.list(layout.stagingRoot())) {
            java.util.regex.Matcher m = DAY_FOLDER.matcher(f.location().toString());
            if (m.find()) {
                try {
                    days.add(LocalDate.parse(m.group(1)));
                } catch (java.time.format.DateTimeParseException e) {
                    // not a day of ours: left alone
                }
            }
        }
        return days;
    }

    /**
     * Deletes whatever is staged for {@code day}, temporary files of a writer killed mid-file included (only
     * the job lock's holder stages, so no writer is using them).
     */
    public void discardStaged(LocalDate day) throws IOException {
        for (FileEntry f : storage.list(layout.staging(day))) {
            storage.delete(f.location());
        }
        storage.deleteAbandoned(layout.staging(day));
        // the day's folder goes; _staging/identity_mappings stays, as another day may be staged in it right now
        storage.deleteEmptyFolders(layout.staging(day), layout.stagingRoot());
    }

    private boolean existsQuietly(Location l) {
        try {
            return storage.exists(l);
        } catch (IOException e) {
            return false;
        }
    }

    private Optional<IdentityManifest> read(Location l) throws IOException {
        if (!storage.exists(l)) {
            return Optional.empty();
        }
        try (InputStream in = storage.open(l)) {
            return Optional.of(JSON.readValue(in, IdentityManifest.class));
        }
    }

    private void write(Location l, IdentityManifest manifest) throws IOException {
        PositionOutputStream out = storage.newOutputFile(l).create();
        try {
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            out.close();
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
    }
}
