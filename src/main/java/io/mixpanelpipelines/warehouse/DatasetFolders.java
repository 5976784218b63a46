package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds the dated folders of the profile and identity datasets under {@code <uri>/<projectId>/} by listing
 * the destination (the writers keep no manifest of them in the state database). Only reads.
 *
 * <p>A folder's fingerprint hashes its files' names and sizes and the bytes of its {@code _SUCCESS}; for
 * identity days it also hashes the Parquet bytes, because a rerun of a day rewrites the same
 * {@code part-00000.parquet}, possibly with the same size. Snapshot folders are new every day, so name and
 * size suffice there and a load never downloads a large snapshot only to learn it is already loaded.
 */
public final class DatasetFolders {

    public static final String PEOPLE = "people";
    public static final String PEOPLE_CHANGES = "people_changes";
    public static final String GROUPS = "groups";
    public static final String IDENTITY = "identity_mappings";

    private final Storage storage;
    private final Location project;

    public DatasetFolders(Storage storage, DatasetLayout layout) {
        this.storage = storage;
        this.project = layout.root().resolve(layout.projectId());
    }

    /** Whether the destination holds any people, people changes or group profile file. */
    public boolean hasPeople() {
        return !list(project.resolve(PEOPLE)).isEmpty() || !list(project.resolve(PEOPLE_CHANGES)).isEmpty()
                || !list(project.resolve(GROUPS)).isEmpty();
    }

    /** Whether the destination holds any identity mapping file. */
    public boolean hasIdentity() {
        return !list(project.resolve(IDENTITY)).isEmpty();
    }

    /** The folders of {@code people} or {@code people_changes}, oldest first (complete or not). */
    public List<DatasetFolder> snapshots(String dataset) {
        return folders(dataset, project.resolve(dataset), "snapshot_date=", false);
    }

    /** Each group profile dataset ({@code groups/<data_group_id>}) with its snapshot folders, oldest first. */
    public Map<String, List<DatasetFolder>> groups() {
        Location groups = project.resolve(GROUPS);
        Map<String, List<Location>> byGroup = new TreeMap<>();
        for (FileEntry f : list(groups)) {
            String rel = relative(groups, f.location());
            int slash = rel.indexOf('/');
            if (slash > 0) {
                byGroup.computeIfAbsent(rel.substring(0, slash), k -> new ArrayList<>());
            }
        }
        Map<String, List<DatasetFolder>> out = new TreeMap<>();
        for (String id : byGroup.keySet()) {
            out.put(id, folders(GROUPS + "/" + id, groups.resolve(id), "snapshot_date=", false));
        }
        return out;
    }

    /** The identity mapping day folders, oldest first (complete or not). */
    public List<DatasetFolder> identityDays() {
        return folders(IDENTITY, project.resolve(IDENTITY), "date=", true);
    }

    private List<DatasetFolder> folders(String dataset, Location dir, String prefix, boolean hashContent) {
        Map<LocalDate, List<FileEntry>> byDate = new TreeMap<>();
        for (FileEntry f : list(dir)) {
            String rel = relative(dir, f.location());
            String[] parts = rel.split("/");
            if (parts.length != 2 || !parts[0].startsWith(prefix)) {
                continue; // another dataset's folder (groups/<id>/...) or a stray file
            }
            try {
                LocalDate date = LocalDate.parse(parts[0].substring(prefix.length()));
                byDate.computeIfAbsent(date, d -> new ArrayList<>()).add(f);
            } catch (DateTimeParseException e) {
                // not a dated folder of this dataset: ignored like any stray folder
            }
        }
        List<DatasetFolder> out = new ArrayList<>();
        for (Map.Entry<LocalDate, List<FileEntry>> e : byDate.entrySet()) {
            List<FileEntry> entries = new ArrayList<>(e.getValue());
            entries.sort(Comparator.comparing(x -> x.location().fileName()));
            Location folder = dir.resolve(prefix + e.getKey());
            boolean complete = entries.stream().anyMatch(x -> x.location().fileName().equals(DatasetLayout.MANIFEST));
            List<Location> parquet = entries.stream().map(FileEntry::location)
                    .filter(l -> l.fileName().endsWith(".parquet")).toList();
            String fingerprint = complete ? fingerprint(entries, hashContent) : "";
            out.add(new DatasetFolder(dataset, e.getKey(), folder, parquet, complete, fingerprint));
        }
        return out;
    }

    private String fingerprint(List<FileEntry> entries, boolean hashContent) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (FileEntry f : entries) {
                String name = f.location().fileName();
                sha.update((name + ":" + f.size() + "\n").getBytes(StandardCharsets.UTF_8));
                if (name.equals(DatasetLayout.MANIFEST) || (hashContent && name.endsWith(".parquet"))) {
                    try (InputStream in = storage.open(f.location())) {
                        byte[] buf = new byte[1 << 16];
                        for (int n; (n = in.read(buf)) > 0;) {
                            sha.update(buf, 0, n);
                        }
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + entries.get(0).location(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<FileEntry> list(Location dir) {
        try {
            return storage.list(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static String relative(Location dir, Location file) {
        String d = dir.key();
        String k = file.key();
        return d.isEmpty() ? k : k.substring(d.length() + 1);
    }
}
