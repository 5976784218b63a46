package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.json.Utf8Text;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One event day's candidate identity mappings: at most one per {@code distinct_id}, the earliest of the day
 * (smallest event time; ties: smallest resolved id), so the result does not depend on the order events are
 * offered in (a day resumed from a checkpoint adds its staged parts' candidates to those of the rest).
 *
 * <p><b>Memory is bounded, whatever the day's size.</b> At most {@link #memoryLimit()} candidates are held in
 * memory ({@code PIPELINES_IDENTITY_MAX_IDS_PER_DAY}, or {@code -Dpipelines.identity.maxIdsPerDay}; default
 * 20,000: 270-310 bytes each with 36-character ids, about 6 MB; the {@link SeenDevices} cache remembers at least
 * {@value #MIN_SEEN_DEVICES} logged-in devices, about 100 bytes each). Held candidates outlive young collections:
 * 50,000 of them overflowed the survivor space and died in the old generation; 20,000 made the 1M-event web day
 * 7% faster (docs/performance.md). Past it they are sorted by {@code distinct_id} and written to a {@link SpillRun}
 * file in the spill folder; {@link #FAN_IN} runs of one size are merged into one of the next, so at most about
 * {@code FAN_IN} runs of each size are ever read at once. {@link #rows()} streams the k-way merge of the runs
 * and what is in memory, keeping per {@code distinct_id} the {@linkplain #earlier earliest} candidate: the same
 * rows wherever the runs were cut: "earliest" is a total order on a candidate's (time, resolved id), so
 * merging in steps changes nothing.
 *
 * <p><b>The spill folder</b> is this instance's alone (one per day and purpose): {@link #clear} and
 * {@link #close} delete every file in it, what a killed process left there included, and the folder; files it
 * did not write are never read. Not thread-safe: one per day step.
 */
public final class DayIdentities implements IdentityRules.Sink, Closeable {

    /**
     * Runs of one size merged into one of the next size: bounds the files read at once (a spilled run twice:
     * its candidates and its twins, with a 16 KiB buffer each: 4 MB at most). A merge rewrites every candidate
     * of its runs, so it is rare: a day first merges past 2.56M candidates in memory-sized runs (about 2.5M
     * events when every event is a new logged-in device; the benchmark's 3M-event simulator day has 1.8M; 32
     * merged a 3M-event day's runs once, 0.6 s of CPU).
     */
    static final int FAN_IN = 128;
    private static final int DEFAULT_MEMORY_LIMIT = 20_000;
    /** The fewest devices {@link SeenDevices} remembers for a day's run (as many as the candidates held, if more). */
    static final int MIN_SEEN_DEVICES = 50_000;

    /** A winning candidate so far. */
    public record Mapping(String distinctId, String resolvedDistinctId, long firstSeenMicros) {
    }

    /**
     * The day's rows in ascending order of {@code distinct_id}'s UTF-8 bytes, read as they are merged: close it
     * after use. Read either as {@link Mapping}s ({@link #next}), or without a string per row: {@link #advance},
     * then the row's bytes, valid until the next call (not both ways at once).
     */
    public interface Rows extends Iterator<Mapping>, Closeable {
        /** Moves to the next row; false past the last. */
        boolean advance();

        /** The row's {@code distinct_id} in UTF-8: {@code idBytes()[0..idLength())}. */
        byte[] idBytes();

        int idLength();

        /** The row's resolved id in UTF-8: {@code resolvedBytes()[0..resolvedLength())}. */
        byte[] resolvedBytes();

        int resolvedLength();

        long firstSeenMicros();
    }

    /**
     * A candidate held in memory, updated in place when a candidate for its id wins. A <em>twin</em> also stands
     * for the same candidate of {@code $device:<distinctId>}: a device's login maps both ids to one user at one
     * time, so it is held (and spilled, sorted and compared) once; the twin ids sort in the same order as the
     * bare ones, so they are read back as a sorted run of their own.
     */
    static final class Held {
        final String distinctId;
        /** {@code distinctId} in UTF-8: what runs are sorted and merged by. */
        final byte[] idUtf8;
        /** The first 8 bytes of {@link #idUtf8}, zero-padded ({@link IdOrder#prefix}): most sorting comparisons end here. */
        final long prefix;
        String resolved;
        long time;
        boolean twin;

        Held(String distinctId, String resolved, long time, boolean twin) {
            this.distinctId = distinctId;
            this.idUtf8 = distinctId.getBytes(StandardCharsets.UTF_8);
            this.prefix = IdOrder.prefix(idUtf8);
            this.resolved = resolved;
            this.time = time;
            this.twin = twin;
        }
    }

    private final Map<String, Held> byId = new HashMap<>();
    private final SeenDevices seen;
    private final int memoryLimit;
    private final int fanIn;
    private final Path spillDir;
    /** The spilled runs by size: {@code runs.get(level)} were each merged from {@code FAN_IN^level} spills. */
    private final List<List<Path>> runs = new ArrayList<>();
    /** The runs holding twins (spilled from memory; a merged run holds its twins' ids as plain candidates). */
    private final java.util.Set<Path> withTwins = new java.util.HashSet<>();
    private long spills;
    private long spilledBytes;
    private long nextRun;

    /** @param spillDir this instance's own folder for spilled runs (created when first needed) */
    public DayIdentities(Path spillDir) {
        this(spillDir, memoryLimit(), FAN_IN, MIN_SEEN_DEVICES);
    }

    /**
     * @param spillDir this instance's own folder for spilled runs (created when first needed)
     * @param memoryLimit the most candidates held in memory before they are spilled
     */
    public DayIdentities(Path spillDir, int memoryLimit) {
        this(spillDir, memoryLimit, FAN_IN);
    }

    /** With {@code fanIn} runs of one size merged at once (tests: many levels of merges from a small day). */
    DayIdentities(Path spillDir, int memoryLimit, int fanIn) {
        this(spillDir, memoryLimit, fanIn, 0);
    }

    /** @param minSeenDevices the fewest devices {@link SeenDevices} remembers (memoryLimit if larger) */
    private DayIdentities(Path spillDir, int memoryLimit, int fanIn, int minSeenDevices) {
        if (memoryLimit < 1 || fanIn < 2) {
            throw new IllegalArgumentException("memoryLimit must be positive and fanIn at least 2: " + memoryLimit + ", " + fanIn);
        }
        this.spillDir = spillDir;
        this.memoryLimit = memoryLimit;
        this.fanIn = fanIn;
        this.seen = new SeenDevices(Math.max(memoryLimit, minSeenDevices));
    }

    /**
     * The configured number of candidates held in memory before spilling: {@code -Dpipelines.identity.maxIdsPerDay},
     * else {@code PIPELINES_IDENTITY_MAX_IDS_PER_DAY}, else 20,000.
     */
    public static int memoryLimit() {
        String v = System.getProperty("pipelines.identity.maxIdsPerDay", System.getenv("PIPELINES_IDENTITY_MAX_IDS_PER_DAY"));
        if (v == null || v.isBlank()) {
            return DEFAULT_MEMORY_LIMIT;
        }
        try {
            int n = Integer.parseInt(v.strip().replace("_", ""));
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PIPELINES_IDENTITY_MAX_IDS_PER_DAY=" + v + " is not a positive whole number");
        }
    }

    /**
     * Adds the mappings {@code event} establishes ({@link IdentityRules}). Allocates only for a merge event
     * or a device's login that may win: a later event of a device already seen logged in earlier that day
     * is passed over on its bytes (while the bounded cache remembers the device: forgetting it costs only the
     * lookup of a candidate that loses).
     *
     * @throws UncheckedIOException when a spill cannot be written
     */
    public void offer(ParsedEvent event) {
        Utf8Text device = event.deviceIdText();
        if (device.present() && event.userIdText().present()) {
            long t = event.timeMicros();
            if (!seen.earlierThan(device.bytes(), device.offset(), device.length(), t)
                    && deviceLogin(event.deviceId(), event.userId(), t)) {
                seen.record(device.bytes(), device.offset(), device.length(), t);
            }
        }
        int merge = IdentityRules.mergeKind(event.eventNameText());
        if (merge > 0) {
            IdentityRules.mergeEvent(IdentityRules.mergeEventName(merge), event.propertiesBuffer(), event.propertiesOffset(),
                    event.propertiesLength(), event.timeMicros(), this);
        }
    }

    /**
     * What {@link #offer} does for an event with a device id and a user id, from their UTF-8 bytes ({@code
     * b[device..device+deviceLength)} and {@code b[user..user+userLength)}), as {@link DayIdentityFeed} copied them.
     */
    void offerLogin(byte[] b, int device, int deviceLength, int user, int userLength, long timeMicros) {
        if (!seen.earlierThan(b, device, deviceLength, timeMicros)
                && deviceLogin(new String(b, device, deviceLength, StandardCharsets.UTF_8),
                        new String(b, user, userLength, StandardCharsets.UTF_8), timeMicros)) {
            seen.record(b, device, deviceLength, timeMicros);
        }
    }

    /** Whether a candidate wins over another for the same {@code distinct_id}: earlier, or as early with a smaller resolved id ({@link IdOrder}). */
    private static boolean earlier(String resolvedA, long timeA, String resolvedB, long timeB) {
        return timeA < timeB || (timeA == timeB && IdOrder.compare(resolvedA, resolvedB) < 0);
    }

    /**
     * {@link IdentityRules#deviceLogin}'s two mappings, held as one twin candidate where they can be: the
     * device id and its {@code $device:} form, both to the user id. Returns whether this login mapped every id
     * a login of this device can map, so that a later login of the device would only lose: only then may
     * {@link SeenDevices} pass the device's later events over (a login with an empty user id, or one mapping
     * the device to itself, maps less, and the device's later logins must still be offered).
     */
    private boolean deviceLogin(String deviceId, String userId, long timeMicros) {
        if (deviceId == null || deviceId.isEmpty() || userId == null || userId.isEmpty() || deviceId.equals(userId)) {
            IdentityRules.deviceLogin(deviceId, userId, timeMicros, this);
            return false;
        }
        if (deviceId.startsWith(IdentityRules.DEVICE_PREFIX)) {
            map(deviceId, userId, timeMicros); // its only id
            return true;
        }
        if (isTwinOf(userId, deviceId)) {
            map(deviceId, userId, timeMicros); // its $device: form is the user id: maps nothing
            return false;
        }
        Held held = byId.get(deviceId);
        if (held == null) {
            hold(deviceId, userId, timeMicros, true);
        } else if (earlier(userId, timeMicros, held.resolved, held.time)) {
            held.resolved = userId; // wins the device id; and its twin, whatever a merge event held for the id
            held.time = timeMicros;
            held.twin = true;
        } else if (!held.twin) {
            map(IdentityRules.DEVICE_PREFIX + deviceId, userId, timeMicros); // a merge event's candidate keeps the id
        }
        return true;
    }

    private static boolean isTwinOf(String id, String deviceId) {
        return id.length() == IdentityRules.DEVICE_PREFIX.length() + deviceId.length()
                && id.startsWith(IdentityRules.DEVICE_PREFIX) && id.endsWith(deviceId);
    }

    /**
     * Keeps the earlier of this and the candidate held for {@code distinctId}; spills what is held first when
     * it is a new id and memory is full.
     *
     * @throws UncheckedIOException when a spill cannot be written
     */
    @Override
    public void map(String distinctId, String resolvedDistinctId, long timeMicros) {
        Held held = byId.get(distinctId);
        if (held == null) {
            hold(distinctId, resolvedDistinctId, timeMicros, false);
        } else if (earlier(resolvedDistinctId, timeMicros, held.resolved, held.time)) {
            String twinResolved = held.resolved;
            long twinTime = held.time;
            boolean twin = held.twin;
            held.resolved = resolvedDistinctId;
            held.time = timeMicros;
            held.twin = false;
            if (twin) { // the device's login still holds for its $device: form
                map(IdentityRules.DEVICE_PREFIX + distinctId, twinResolved, twinTime);
            }
        }
    }

    /** Holds a candidate for an id not held; spills what is held first when memory is full. */
    private void hold(String distinctId, String resolved, long timeMicros, boolean twin) {
        if (byId.size() >= memoryLimit) {
            try {
                spill();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot spill identity mappings to " + spillDir + ": " + e.getMessage(), e);
            }
        }
        byId.put(distinctId, new Held(distinctId, resolved, timeMicros, twin));
    }

    /**
     * Adds every candidate of {@code other} (a resumed day's staged parts), by the same rule, reading them as
     * they are merged.
     */
    public void addAll(DayIdentities other) throws IOException {
        try (Rows r = other.rows()) {
            while (r.hasNext()) {
                Mapping m = r.next();
                map(m.distinctId(), m.resolvedDistinctId(), m.firstSeenMicros());
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** How many runs were spilled so far (merged ones count once per spill they hold). */
    public long spills() {
        return spills;
    }

    /** The bytes of the spills so far (before their merges): about the local disk the day's runs take. */
    public long spilledBytes() {
        return spilledBytes;
    }

    /** The candidates held in memory now. */
    public int inMemory() {
        return byId.size();
    }

    /** Forgets every candidate: deletes the spill folder's files (a killed process's too) and the folder. */
    public void clear() throws IOException {
        byId.clear();
        seen.clear();
        runs.clear();
        withTwins.clear();
        spills = 0;
        spilledBytes = 0;
        deleteSpillFolder();
    }

    private void deleteSpillFolder() throws IOException {
        if (Files.isDirectory(spillDir)) {
            try (Stream<Path> files = Files.list(spillDir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(spillDir);
        }
    }

    /** Deletes the spill files ({@link #clear}); the instance can be used again. */
    @Override
    public void close() throws IOException {
        clear();
    }

    /**
     * The day's rows ordered by {@code distinct_id} (a rerun of the same events writes the same file), read as
     * they are merged from the spilled runs and memory (read as they stand: offer nothing more before the
     * rows are closed); the day can be read again, or go on, afterwards.
     */
    public Rows rows() throws IOException {
        List<Path> files = new ArrayList<>();
        runs.forEach(files::addAll);
        return new MergedRows(files, withTwins, sortedInMemory());
    }

    /** What memory holds in ascending order of {@code distinct_id}'s UTF-8 bytes (its twins' ids sort the same). */
    private List<Held> sortedInMemory() {
        Held[] held = byId.values().toArray(new Held[0]);
        HeldSort.sort(held);
        return Arrays.asList(held);
    }

    /** Writes what memory holds as a sorted run and empties memory; merges full levels of runs. */
    private void spill() throws IOException {
        if (runs.isEmpty()) {
            deleteSpillFolder(); // the first spill: what a killed process left there must not stay beside our runs
        }
        Files.createDirectories(spillDir);
        Path file = newRun(0);
        if (SpillRun.writeHeld(file, sortedInMemory())) {
            withTwins.add(file);
        }
        byId.clear();
        spills++;
        spilledBytes += Files.size(file);
        addRun(0, file);
    }

    private void addRun(int level, Path file) throws IOException {
        while (runs.size() <= level) {
            runs.add(new ArrayList<>());
        }
        List<Path> same = runs.get(level);
        same.add(file);
        if (same.size() >= fanIn) {
            Path merged = newRun(level + 1);
            try (MergedRows in = new MergedRows(same, withTwins, null)) {
                SpillRun.write(merged, in);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            for (Path f : same) {
                Files.deleteIfExists(f);
                withTwins.remove(f);
            }
            same.clear();
            addRun(level + 1, merged);
        }
    }

    private Path newRun(int level) {
        return spillDir.resolve("run-" + level + "-" + (nextRun++) + ".bin");
    }
}
