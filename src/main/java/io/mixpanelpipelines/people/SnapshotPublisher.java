package io.mixpanelpipelines.people;

import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.convert.parquet.PeopleParquetWriter;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.PeopleLayout;
import io.mixpanelpipelines.source.EngagePage;
import io.mixpanelpipelines.state.PeopleQueryRecord;
import io.mixpanelpipelines.state.PeopleSnapshotRecord;
import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a snapshot's spooled pages into Parquet parts in its folder ({@link PeopleLayout}), rolling to a new
 * part at {@code partSizeBytes}, then writes {@code _SUCCESS} last (a small JSON manifest) and deletes any
 * other file of the folder (parts of an earlier, interrupted publish). Idempotent: publishing again after a
 * crash ends in the same folder.
 *
 * <p>A profile whose {@code $last_seen} moved while the snapshot was read can be in two of its queries (an
 * older range read before, a newer one after). Such a profile has a {@code $last_seen} at or after the
 * snapshot's start, so only those are remembered (a first pass over the pages), and only the occurrence
 * with the latest {@code $last_seen} is written: every distinct id appears once, without holding every id
 * of a large project in memory. Not thread-safe.
 */
final class SnapshotPublisher {

    /** What a publish wrote. */
    record Published(long rows, int files, long bytes, long duplicates) {
    }

    private record Occurrence(String lastSeen, int query, int page, int index) {
    }

    private final Storage storage;
    private final PeopleLayout layout;
    private final ParquetWriterOptions options;
    private final long partSizeBytes;

    SnapshotPublisher(Storage storage, PeopleLayout layout, ParquetWriterOptions options, long partSizeBytes) {
        this.storage = storage;
        this.layout = layout;
        this.options = options;
        this.partSizeBytes = partSizeBytes;
    }

    Published publish(PeopleSnapshotRecord snapshot, List<PeopleQueryRecord> queries, PageSpool spool) throws IOException {
        List<PeopleQueryRecord> done = queries.stream().filter(q -> q.state().equals(PeopleQueryRecord.DONE)).toList();
        Map<String, Occurrence> moved = movedDuringSnapshot(snapshot, done, spool);
        Location folder = layout.snapshot(snapshot.dataset(), snapshot.snapshotDate());
        List<String> names = new ArrayList<>();
        long rows = 0;
        long bytes = 0;
        long duplicates = 0;
        PeopleParquetWriter writer = null;
        try {
            for (PeopleQueryRecord q : done) {
                for (int page = 0; page < q.pagesDone(); page++) {
                    EngagePage p = EngagePage.parse(spool.read(q.no(), page));
                    for (int i = 0; i < p.profiles().size(); i++) {
                        EngagePage.Profile profile = p.profiles().get(i);
                        Occurrence keep = moved.get(profile.distinctId());
                        if (keep != null && !(keep.query() == q.no() && keep.page() == page && keep.index() == i)) {
                            duplicates++;
                            continue;
                        }
                        if (writer == null) {
                            names.add(PeopleLayout.partName(names.size()));
                            writer = new PeopleParquetWriter(storage.newOutputFile(folder.resolve(names.get(names.size() - 1))),
                                    options);
                        }
                        byte[] properties = p.properties(profile);
                        writer.write(profile.distinctId(), properties, 0, properties.length,
                                LastSeenRanges.micros(profile.lastSeen()));
                        rows++;
                        if (writer.dataSize() >= partSizeBytes) {
                            writer.close();
                            bytes += writer.fileSize();
                            writer = null;
                        }
                    }
                }
            }
            if (writer != null) {
                writer.close();
                bytes += writer.fileSize();
                writer = null;
            }
        } finally {
            if (writer != null) {
                writer.abort();
            }
        }
        writeManifest(snapshot, names, rows, bytes);
        Set<String> keep = new HashSet<>(names);
        keep.add(DatasetLayout.MANIFEST);
        for (FileEntry f : storage.list(folder)) {
            if (!keep.contains(f.location().fileName())) {
                storage.delete(f.location());
            }
        }
        return new Published(rows, names.size(), bytes, duplicates);
    }

    /** The profiles seen with a {@code $last_seen} at or after the snapshot's start, and which occurrence to keep. */
    private static Map<String, Occurrence> movedDuringSnapshot(PeopleSnapshotRecord snapshot, List<PeopleQueryRecord> done,
            PageSpool spool) throws IOException {
        String since = LastSeenRanges.text(snapshot.startedAt().minusSeconds(60));
        Map<String, Occurrence> moved = new HashMap<>();
        for (PeopleQueryRecord q : done) {
            for (int page = 0; page < q.pagesDone(); page++) {
                EngagePage p = EngagePage.parse(spool.read(q.no(), page));
                for (int i = 0; i < p.profiles().size(); i++) {
                    String seen = LastSeenRanges.normalized(p.profiles().get(i).lastSeen());
                    if (seen != null && seen.compareTo(since) >= 0) {
                        Occurrence o = new Occurrence(seen, q.no(), page, i);
                        moved.merge(p.profiles().get(i).distinctId(), o, (a, b) -> b.lastSeen().compareTo(a.lastSeen()) > 0 ? b : a);
                    }
                }
            }
        }
        return moved;
    }

    private void writeManifest(PeopleSnapshotRecord snapshot, List<String> names, long rows, long bytes) throws IOException {
        StringBuilder json = new StringBuilder("{\n  \"dataset\": \"").append(snapshot.dataset())
                .append("\",\n  \"snapshotDate\": \"").append(snapshot.snapshotDate())
                .append("\",\n  \"startedAt\": \"").append(snapshot.startedAt())
                .append("\",\n  \"changesSince\": ").append(snapshot.changesSince() == null ? "null" : "\"" + snapshot.changesSince() + "\"")
                .append(",\n  \"rows\": ").append(rows).append(",\n  \"bytes\": ").append(bytes).append(",\n  \"files\": [");
        for (int i = 0; i < names.size(); i++) {
            json.append(i == 0 ? "\"" : ", \"").append(names.get(i)).append('"');
        }
        json.append("]\n}\n");
        PositionOutputStream out = storage.newOutputFile(layout.manifest(snapshot.dataset(), snapshot.snapshotDate())).create();
        try {
            out.write(json.toString().getBytes(StandardCharsets.UTF_8));
            out.close();
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
    }
}
