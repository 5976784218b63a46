package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.config.WarehouseSettings;
import io.mixpanelpipelines.state.LoadLedger;
import io.mixpanelpipelines.state.LoadRecord;
import io.mixpanelpipelines.warehouse.LoadSummary.DatasetLoad;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the profile and identity datasets of issue 13 where the load ledger shows them out of date.
 *
 * <p><b>People</b> ({@code people/}, and each {@code groups/<id>/} into {@code groups_<id>}): the latest
 * complete snapshot replaces the table unless it is the one the ledger last recorded for that table (same
 * date, same fingerprint). Then every {@code people_changes/} folder newer than that snapshot is merged in
 * date order, from the first one not yet merged on top of this very snapshot onwards (so a republished
 * older change never overwrites a newer one).
 *
 * <p><b>Identity mappings</b>: each day folder whose fingerprint the ledger does not hold for it is loaded,
 * oldest first; a rerun of a day therefore corrects the table. A day loaded before whose folder is gone
 * is removed from the table (outcome REMOVED).
 *
 * <p>Before loading anything of a dataset every folder about to be loaded is checked: a folder without
 * {@code _SUCCESS} or a file with other columns fails the dataset with that reason and loads nothing of it.
 * Ledger records: target {@code type:schema.people}, {@code .groups_<id>}, {@code .people_changes} (the
 * changes merged into people; run id {@code on <snapshot date>}) and {@code .identity_mappings}, keyed by
 * the folder's date; content hash = the folder's fingerprint. Writes only the warehouse and the ledger.
 */
public final class DatasetLoadService {

    private static final Logger log = LoggerFactory.getLogger(DatasetLoadService.class);

    /** The outcome and ledger run id of an identity day whose folder was removed. */
    static final String REMOVED = "REMOVED";

    private final String job;
    private final String targetPrefix;
    private final LoadLedger loads;
    private final DatasetFolders folders;
    private final ProfileIdentityLoader loader;
    private final PrintStream console;
    private final Clock clock;
    private boolean prepared;

    public DatasetLoadService(String job, WarehouseSettings settings, LoadLedger loads, DatasetFolders folders,
            ProfileIdentityLoader loader, PrintStream console, Clock clock) {
        this.job = job;
        this.targetPrefix = settings.type().name().toLowerCase(java.util.Locale.ROOT) + ":" + settings.schema() + ".";
        this.loads = loads;
        this.folders = folders;
        this.loader = loader;
        this.console = console;
        this.clock = clock;
    }

    /** Loads people (with its changes) and every group profile dataset. */
    public List<DatasetLoad> loadPeople() {
        List<DatasetLoad> out = new ArrayList<>();
        List<DatasetFolder> changes = folders.snapshots(DatasetFolders.PEOPLE_CHANGES);
        guarded(DatasetFolders.PEOPLE, "people", out, () -> loadProfiles("people", folders.snapshots(DatasetFolders.PEOPLE),
                changes, out));
        for (Map.Entry<String, List<DatasetFolder>> g : folders.groups().entrySet()) {
            String dataset = DatasetFolders.GROUPS + "/" + g.getKey();
            guarded(dataset, "groups_" + g.getKey(), out,
                    () -> loadProfiles(DatasetColumns.groupTable(g.getKey()), g.getValue(), List.of(), out));
        }
        return out;
    }

    private void loadProfiles(String table, List<DatasetFolder> snapshots, List<DatasetFolder> changes, List<DatasetLoad> out) {
        complete(snapshots);
        complete(changes);
        Optional<DatasetFolder> latest = snapshots.stream().reduce((a, b) -> b);
        if (latest.isEmpty()) {
            if (!changes.isEmpty()) {
                throw new WarehouseLoadException("people_changes/ has folders but people/ has no complete snapshot to merge them into");
            }
            return;
        }
        DatasetFolder snapshot = latest.get();
        String target = targetPrefix + table;
        Optional<LoadRecord> current = loads.list(job, target).stream().max(Comparator.comparing(LoadRecord::loadedAt));
        boolean loaded = current.isPresent() && current.get().day().equals(snapshot.date())
                && Objects.equals(current.get().contentHash(), snapshot.fingerprint());
        String changesTarget = targetPrefix + "people_changes";
        String on = "on " + snapshot.date();
        List<DatasetFolder> newer = changes.stream().filter(c -> c.date().isAfter(snapshot.date())).toList();
        int firstPending = loaded ? newer.size() : 0;
        for (int i = 0; i < newer.size() && loaded; i++) {
            Optional<LoadRecord> r = loads.find(job, newer.get(i).date(), changesTarget);
            if (r.isEmpty() || !r.get().runId().equals(on) || !Objects.equals(r.get().contentHash(), newer.get(i).fingerprint())) {
                firstPending = i;
                break;
            }
        }
        if (!loaded) {
            loader.validate(snapshot);
        }
        newer.subList(firstPending, newer.size()).forEach(loader::validate);
        if (loaded) {
            out.add(new DatasetLoad(snapshot.dataset(), target, snapshot.date(), "UNCHANGED", current.get().rows(), 0, null));
        } else {
            load(snapshot, target, target, snapshot.folder().fileName(), out, () -> loader.replaceProfiles(table, snapshot));
        }
        for (int i = 0; i < newer.size(); i++) {
            DatasetFolder c = newer.get(i);
            if (i < firstPending) {
                out.add(new DatasetLoad(c.dataset(), target, c.date(), "UNCHANGED",
                        loads.find(job, c.date(), changesTarget).map(LoadRecord::rows).orElse(0L), 0, null));
            } else {
                load(c, changesTarget, target, on, out, () -> loader.mergeProfiles(table, c));
            }
        }
    }

    /** Loads every identity day not loaded as it is now. */
    public List<DatasetLoad> loadIdentity() {
        List<DatasetLoad> out = new ArrayList<>();
        String target = targetPrefix + "identity_mappings";
        guarded(DatasetFolders.IDENTITY, "identity_mappings", out, () -> {
            List<DatasetFolder> days = folders.identityDays();
            complete(days);
            List<DatasetFolder> pending = new ArrayList<>();
            for (DatasetFolder d : days) {
                Optional<LoadRecord> r = loads.find(job, d.date(), target);
                if (r.isPresent() && Objects.equals(r.get().contentHash(), d.fingerprint())) {
                    out.add(new DatasetLoad(d.dataset(), target, d.date(), "UNCHANGED", r.get().rows(), 0, null));
                } else {
                    pending.add(d);
                }
            }
            pending.forEach(loader::validate);
            for (DatasetFolder d : pending) {
                load(d, target, target, d.folder().fileName(), out, () -> loader.loadIdentityDay(d));
            }
            java.util.Set<java.time.LocalDate> present = new java.util.HashSet<>();
            days.forEach(d -> present.add(d.date()));
            for (LoadRecord r : loads.list(job, target)) {
                if (!present.contains(r.day()) && !r.runId().equals(REMOVED)) {
                    removeIdentityDay(r.day(), target, out);
                }
            }
        });
        out.sort(Comparator.comparing(DatasetLoad::date, Comparator.nullsLast(Comparator.naturalOrder())));
        return out;
    }

    /** A day loaded before whose folder is gone: its candidates leave the table; recorded as {@value #REMOVED}. */
    private void removeIdentityDay(java.time.LocalDate day, String target, List<DatasetLoad> out) {
        if (!prepared) {
            loader.prepare();
            prepared = true;
        }
        long start = System.nanoTime();
        loader.removeIdentityDay(day);
        long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        loads.loaded(new LoadRecord(job, day, target, REMOVED, null, 0, millis, clock.instant()));
        console.printf("removed identity_mappings date=%s from %s: its folder is gone%n", day, target);
        out.add(new DatasetLoad(DatasetFolders.IDENTITY, target, day, REMOVED, 0, millis, null));
    }

    /**
     * @param ledgerTarget the load ledger's key for this dataset
     * @param target the table it goes into, as reported
     */
    private void load(DatasetFolder f, String ledgerTarget, String target, String runId, List<DatasetLoad> out,
            java.util.function.LongSupplier work) {
        if (!prepared) {
            loader.prepare();
            prepared = true;
        }
        long start = System.nanoTime();
        long rows = work.getAsLong();
        long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        loads.loaded(new LoadRecord(job, f.date(), ledgerTarget, runId, f.fingerprint(), rows, millis, clock.instant()));
        console.printf("loaded %s %s into %s: %,d rows in %.1f s%n", f.dataset(), f.folder().fileName(), target, rows,
                millis / 1000.0);
        out.add(new DatasetLoad(f.dataset(), target, f.date(), "LOADED", rows, millis, null));
    }

    private static void complete(List<DatasetFolder> list) {
        for (DatasetFolder f : list) {
            if (!f.complete()) {
                throw new WarehouseLoadException(f.dataset() + "/" + f.folder().fileName() + " has no _SUCCESS: it is not "
                        + "complete (a writer still at work, or one that died); nothing of " + f.dataset() + " loaded");
            }
        }
    }

    private void guarded(String dataset, String table, List<DatasetLoad> out, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            log.error("loading {} failed: {}", dataset, msg);
            out.add(new DatasetLoad(dataset, targetPrefix + table, null, "FAILED", 0, 0, msg));
        }
    }
}
