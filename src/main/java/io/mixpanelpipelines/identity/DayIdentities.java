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
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One event day's candidate identity mappings: at most one per {@code distinct_id}, the earliest of the day
 * (smallest event time; ties: smallest resolved id), so the result does not depend on the order events are
 * offered in (a day resumed from a checkpoint adds its staged parts' candidates to those of the rest).
 *
 * <p><b>Memory is bounded, whatever the day's size.</b> At most {@link #memoryLimit()} candidates are held in
 * memory ({@code PIPELINES_IDENTITY_MAX_IDS_PER_DAY}, or {@code -Dpipelines.identity.maxIdsPerDay}; default
 * 20,000), and at most {@value #BYTES_PER_CANDIDATE} bytes of ids per candidate of that limit (1 MiB at least), in
 * a {@link HeldTable}: no object per candidate, about 4 MB at the default with 36-character ids; the {@link
 * SeenDevices} cache remembers at least {@value #MIN_SEEN_DEVICES} logged-in devices, about 5 MB. (Held as objects,
 * candidates outlived young collections until their spill: docs/performance.md.) Past either limit they are
 * sorted by {@code distinct_id} and written to a {@link SpillRun} file in the spill folder; {@link #FAN_IN} runs
 * of one size are merged into one of the next, so at most about {@code FAN_IN} runs of each size are ever read at
 * once. {@link #rows()} streams the k-way merge of the runs and what is in memory, keeping per {@code distinct_id}
 * the {@linkplain IdOrder#earlier earliest} candidate: the same rows wherever the runs were cut: "earliest" is a
 * total order on a candidate's (time, resolved id), so merging in steps changes nothing.
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
    /** The bytes of ids held per candidate of the limit, on average, before a spill: long ids spill sooner. */
    static final int BYTES_PER_CANDIDATE = 128;

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

    /** What memory holds; a <em>twin</em> there also stands for the same candidate of {@code $device:<distinctId>}. */
    private final HeldTable held = new HeldTable();
    private final SeenDevices seen;
    private final int memoryLimit;
    /** The most bytes of ids held ({@value #BYTES_PER_CANDIDATE} per candidate of the limit, 1 MiB at least). */
    private final long memoryBytes;
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
        this.memoryBytes = Math.max(1 << 20, (long) BYTES_PER_CANDIDATE * memoryLimit);
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
        Utf8Text user = event.userIdText();
        if (device.present() && user.present()) {
            login(device.bytes(), device.offset(), device.length(), user.bytes(), user.offset(), user.length(), event.timeMicros());
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
        login(b, device, deviceLength, b, user, userLength, timeMicros);
    }

    private void login(byte[] d, int dOff, int dLen, byte[] u, int uOff, int uLen, long timeMicros) {
        if (!seen.earlierThan(d, dOff, dLen, timeMicros) && deviceLogin(d, dOff, dLen, u, uOff, uLen, timeMicros)) {
            seen.record(d, dOff, dLen, timeMicros);
        }
    }

    /**
     * {@link IdentityRules#deviceLogin}'s two mappings, from the ids' UTF-8 bytes (well-formed: the parser
     * decodes what is not to U+FFFD), held as one twin candidate where they can be: the device id and its {@code
     * $device:} form, both to the user id. Returns whether this login mapped every id a login of this device can
     * map, so that a later login of the device would only lose: only then may {@link SeenDevices} pass the
     * device's later events over (a login with an empty user id, or one mapping the device to itself, maps
     * less, and the device's later logins must still be offered).
     */
    private boolean deviceLogin(byte[] d, int dOff, int dLen, byte[] u, int uOff, int uLen, long timeMicros) {
        if (dLen == 0 || uLen == 0 || Arrays.equals(d, dOff, dOff + dLen, u, uOff, uOff + uLen)) {
            IdentityRules.deviceLogin(text(d, dOff, dLen), text(u, uOff, uLen), timeMicros, this);
            return false;
        }
        if (startsWithDevicePrefix(d, dOff, dLen)) {
            map(d, dOff, dLen, u, uOff, uLen, timeMicros); // its only id
            return true;
        }
        if (uLen == DEVICE_PREFIX.length + dLen && startsWithDevicePrefix(u, uOff, uLen)
                && Arrays.equals(u, uOff + DEVICE_PREFIX.length, uOff + uLen, d, dOff, dOff + dLen)) {
            map(d, dOff, dLen, u, uOff, uLen, timeMicros); // its $device: form is the user id: maps nothing
            return false;
        }
        int hash = HeldTable.hash(d, dOff, dLen);
        int e = held.find(hash, d, dOff, dLen);
        if (e < 0) {
            hold(hash, d, dOff, dLen, u, uOff, uLen, timeMicros, true);
        } else if (held.beats(e, u, uOff, uLen, timeMicros)) {
            held.update(e, u, uOff, uLen, timeMicros, true); // wins the device id; and its twin, whatever a merge event held
        } else if (!held.twin(e)) {
            byte[] twin = deviceForm(d, dOff, dLen); // a merge event's candidate keeps the id
            map(twin, 0, twin.length, u, uOff, uLen, timeMicros);
        }
        return true;
    }

    private static final byte[] DEVICE_PREFIX = SpillRun.DEVICE_PREFIX;

    private static boolean startsWithDevicePrefix(byte[] b, int off, int len) {
        return len >= DEVICE_PREFIX.length && Arrays.equals(b, off, off + DEVICE_PREFIX.length, DEVICE_PREFIX, 0, DEVICE_PREFIX.length);
    }

    /** {@code $device:} and the id {@code b[off..off+len)}, in UTF-8. */
    private static byte[] deviceForm(byte[] b, int off, int len) {
        byte[] twin = Arrays.copyOf(DEVICE_PREFIX, DEVICE_PREFIX.length + len);
        System.arraycopy(b, off, twin, DEVICE_PREFIX.length, len);
        return twin;
    }

    private static String text(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }

    /**
     * Keeps the earlier of this and the candidate held for {@code distinctId}; spills what is held first when
     * it is a new id and memory is full.
     *
     * @throws UncheckedIOException when a spill cannot be written
     */
    @Override
    public void map(String distinctId, String resolvedDistinctId, long timeMicros) {
        byte[] id = distinctId.getBytes(StandardCharsets.UTF_8);
        byte[] resolved = resolvedDistinctId.getBytes(StandardCharsets.UTF_8);
        map(id, 0, id.length, resolved, 0, resolved.length, timeMicros);
    }

    /** {@link #map(String, String, long)} from UTF-8 bytes (none of the table's own). */
    private void map(byte[] id, int idOff, int idLen, byte[] r, int rOff, int rLen, long timeMicros) {
        int hash = HeldTable.hash(id, idOff, idLen);
        int e = held.find(hash, id, idOff, idLen);
        if (e < 0) {
            hold(hash, id, idOff, idLen, r, rOff, rLen, timeMicros, false);
        } else if (held.beats(e, r, rOff, rLen, timeMicros)) {
            if (held.twin(e)) { // the device's login still holds for its $device: form
                byte[] twinResolved = held.resolvedCopy(e);
                long twinTime = held.time(e);
                held.update(e, r, rOff, rLen, timeMicros, false);
                byte[] twin = deviceForm(id, idOff, idLen);
                map(twin, 0, twin.length, twinResolved, 0, twinResolved.length, twinTime);
            } else {
                held.update(e, r, rOff, rLen, timeMicros, false);
            }
        }
    }

    /** Holds a candidate for an id not held; spills what is held first when memory is full. */
    private void hold(int hash, byte[] id, int idOff, int idLen, byte[] r, int rOff, int rLen, long time, boolean twin) {
        if (held.size() >= memoryLimit || held.bytesUsed() >= memoryBytes) {
            try {
                spill();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot spill identity mappings to " + spillDir + ": " + e.getMessage(), e);
            }
        }
        held.add(hash, id, idOff, idLen, r, rOff, rLen, time, twin);
    }

    /**
     * Adds every candidate of {@code other} (a resumed day's staged parts), by the same rule, reading them as
     * they are merged.
     */
    public void addAll(DayIdentities other) throws IOException {
        try (Rows r = other.rows()) {
            while (r.advance()) {
                map(r.idBytes(), 0, r.idLength(), r.resolvedBytes(), 0, r.resolvedLength(), r.firstSeenMicros());
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
        return held.size();
    }

    /** Forgets every candidate: deletes the spill folder's files (a killed process's too) and the folder. */
    public void clear() throws IOException {
        held.clear();
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
        return new MergedRows(files, withTwins, held);
    }

    /** Writes what memory holds as a sorted run and empties memory; merges full levels of runs. */
    private void spill() throws IOException {
        if (runs.isEmpty()) {
            deleteSpillFolder(); // the first spill: what a killed process left there must not stay beside our runs
        }
        Files.createDirectories(spillDir);
        Path file = newRun(0);
        if (SpillRun.writeHeld(file, held)) {
            withTwins.add(file);
        }
        held.clear();
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
