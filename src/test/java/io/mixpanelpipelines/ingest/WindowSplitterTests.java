package io.mixpanelpipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.source.SharedSpool;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import io.mixpanelpipelines.support.SampleEvents;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content hash a day spool's manifest carries must be the one the day step computes when it converts
 * that spool, or an unchanged day would be converted anyway (or, worse, a changed one skipped).
 */
class WindowSplitterTests {

    private static final ZoneId ZONE = ZoneId.of("America/Los_Angeles");
    private static final LocalDate FROM = LocalDate.parse("2026-03-05"); // spans the DST change of 2026-03-08

    @TempDir
    Path tmp;

    @Test
    void eachDaySpoolCarriesTheContentHashAndRejectionsItsConversionFinds() throws IOException {
        Random random = new Random(15);
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 3_000; i++) {
            int kind = random.nextInt(20);
            if (kind == 0) {
                body.append(random.nextBoolean() ? "{\"event\":\"broken\",\"properties\":{\"time\":" : "[1,2,3]");
            } else if (kind == 1) {
                body.append(event(random, i, FROM.minusDays(1 + random.nextInt(3)))); // before the window
            } else if (kind == 2) {
                body.append(event(random, i, FROM.plusDays(6 + random.nextInt(3)))); // after it
            } else {
                body.append(event(random, i, FROM.plusDays(random.nextInt(6))));
            }
            body.append(random.nextInt(30) == 0 ? "\r\n\n  \n" : "\n");
        }
        Spool window = spool("window", body.toString().getBytes(StandardCharsets.UTF_8));
        Map<LocalDate, Spool> days = new LinkedHashMap<>();
        for (int d = 0; d < 6; d++) {
            days.put(FROM.plusDays(d), new Spool(tmp.resolve("day-" + d)));
        }

        new WindowSplitter(ZONE, false).split(window, days);

        long rejectedInAll = 0;
        for (Map.Entry<LocalDate, Spool> e : days.entrySet()) {
            SpoolManifest m = e.getValue().manifest();
            DayStepView view = convert(e.getValue(), e.getKey());
            assertThat(m.contentHash()).as("%s", e.getKey()).isEqualTo(LineHash.format(view.rows, view.hashSum));
            assertThat(m.unpublishableLines()).as("%s", e.getKey()).isEqualTo(view.rejected);
            assertThat(view.rows).as("%s has events", e.getKey()).isPositive();
            rejectedInAll += view.rejected;
        }
        assertThat(days.get(FROM).manifest().unpublishableLines()).as("malformed and other days' lines go to the first day")
                .isEqualTo(rejectedInAll).isGreaterThan(300);
    }

    @Test
    void aDaySpoolWithoutAnyEventHashesAsAnEmptyDay() throws IOException {
        String line = event(new Random(1), 0, FROM);
        Spool window = spool("window", (line + "\n").getBytes(StandardCharsets.UTF_8));
        Map<LocalDate, Spool> days = new LinkedHashMap<>();
        days.put(FROM, new Spool(tmp.resolve("a")));
        days.put(FROM.plusDays(1), new Spool(tmp.resolve("b")));

        new WindowSplitter(ZONE, false).split(window, days);

        assertThat(days.get(FROM.plusDays(1)).manifest().contentHash()).isEqualTo(LineHash.format(0, 0));
        assertThat(days.get(FROM).manifest().contentHash()).isNotEqualTo(LineHash.format(0, 0)).startsWith("1:");
    }

    @Test
    void aPublishedDayFoundUnchangedKeepsNoBodyAndAChangedOneIsSplitAgainFromTheWindowSpool() throws IOException {
        byte[] body = mixedBody(new Random(16));
        Spool window = spool("window", body);
        Map<LocalDate, Spool> reference = daySpools("ref");
        new WindowSplitter(ZONE, false).split(window, reference);

        Map<LocalDate, Spool> days = daySpools("held");
        Map<LocalDate, String> published = Map.of(
                FROM, reference.get(FROM).manifest().contentHash(), // but it has lines to reject: written
                FROM.plusDays(1), reference.get(FROM.plusDays(1)).manifest().contentHash(), // unchanged
                FROM.plusDays(2), "1:0"); // changed since it was published
        new WindowSplitter(ZONE, false).split(window, days, published);

        for (LocalDate day : days.keySet()) {
            SpoolManifest ref = reference.get(day).manifest();
            SpoolManifest m = days.get(day).manifest();
            assertThat(m.contentHash()).as("%s", day).isEqualTo(ref.contentHash());
            assertThat(m.unpublishableLines()).as("%s", day).isEqualTo(ref.unpublishableLines());
            assertThat(m.lines()).as("%s", day).isEqualTo(ref.lines());
            assertThat(m.decodedBytes()).as("%s", day).isEqualTo(ref.decodedBytes());
            if (day.equals(FROM.plusDays(1))) {
                assertThat(m.encoding()).isEqualTo(Spool.OMITTED);
                assertThat(m.bodyBytes()).isZero();
                assertThat(days.get(day).isComplete()).isTrue();
                assertThatThrownBy(() -> days.get(day).openLines()).isInstanceOf(IllegalStateException.class);
            } else {
                assertThat(m.encoding()).as("%s", day).isEqualTo(Spool.ZSTD);
                assertThat(lines(days.get(day))).as("%s", day).isEqualTo(lines(reference.get(day)));
            }
        }
    }

    @Test
    void aBodySplitAsItArrivesForgetsAnAttemptGivenUpAndMatchesTheSplitOfItsSpool() throws IOException {
        byte[] body = mixedBody(new Random(17));
        Spool window = spool("window", body);
        Map<LocalDate, Spool> reference = daySpools("ref");
        new WindowSplitter(ZONE, false).split(window, reference);

        Map<LocalDate, Spool> days = daySpools("streamed");
        WindowSplitter.Split split = new WindowSplitter(ZONE, false).begin(window.dir(), days,
                Map.of(FROM.plusDays(3), reference.get(FROM.plusDays(3)).manifest().contentHash()));
        // the first attempt was cut two thirds in (and then given up): its lines must not count
        split.read(new ByteArrayInputStream(body, 0, body.length * 2 / 3));
        split.read(new ByteArrayInputStream(body));
        split.finish(window);

        for (LocalDate day : days.keySet()) {
            SpoolManifest m = days.get(day).manifest();
            assertThat(m.lines()).as("%s", day).isEqualTo(reference.get(day).manifest().lines());
            if (day.equals(FROM.plusDays(3))) {
                assertThat(m.encoding()).isEqualTo(Spool.OMITTED);
                assertThat(m.contentHash()).as("%s", day).isEqualTo(reference.get(day).manifest().contentHash());
            } else {
                // written while a day was held back: with a line only hashed, its manifest carries no content hash
                if (m.contentHash() != null) {
                    assertThat(m.contentHash()).as("%s", day).isEqualTo(reference.get(day).manifest().contentHash());
                }
                assertThat(lines(days.get(day))).as("%s", day).isEqualTo(lines(reference.get(day)));
            }
        }
    }

    /**
     * The lines of held-back days are only hashed, their day read without parsing them: the days must still
     * come out as a split that parses every line gives them, a malformed line whose time falls on a held-back
     * day included (a parse rejects it into the first day's spool), and a line whose second time (the one a
     * parse takes) is on another day than its first, whichever of them is held back.
     */
    @Test
    void daysHeldBackWhoseLinesAreOnlyHashedComeOutAsAParseOfEveryLineGivesThem() throws IOException {
        Random random = new Random(18);
        StringBuilder clean = new StringBuilder();
        for (int i = 0; i < 3_000; i++) {
            clean.append(exportLine(random, FROM.plusDays(random.nextInt(6)))).append('\n');
        }
        Map<LocalDate, Spool> before = daySpools("before");
        new WindowSplitter(ZONE, false).split(spool("before", clean.toString().getBytes(StandardCharsets.UTF_8)), before);
        Map<LocalDate, String> published = new LinkedHashMap<>();
        before.forEach((day, spool) -> published.put(day, spool.manifest().contentHash()));

        // steady state: the five days before the last unchanged, held back; the last one new, written
        Map<LocalDate, String> lookback = new LinkedHashMap<>(published);
        lookback.remove(FROM.plusDays(5));
        Spool same = spool("same", clean.toString().getBytes(StandardCharsets.UTF_8));
        Map<LocalDate, Spool> days = daySpools("steady");
        WindowSplitter.Split split = new WindowSplitter(ZONE, false).begin(same.dir(), days, lookback);
        split.read(same.openLines());
        split.finish(same);
        assertSplitAsParsed(same, days, Map.of(FROM.plusDays(5), 0L));
        assertThat(days.get(FROM.plusDays(5)).manifest().contentHash()).as("the new day's lines were only hashed").isNull();

        // a malformed line of the new day, while days are held back: it goes to its day, whose conversion rejects it
        String bad = "{\"event\":\"x\",\"properties\":{\"time\":" + (FROM.plusDays(5).toEpochDay() * 86_400 + 7) + ",\"a\":tru}}";
        Spool withBad = spool("bad", (clean + bad + "\n").getBytes(StandardCharsets.UTF_8));
        Map<LocalDate, Spool> badDays = daySpools("bad-days");
        WindowSplitter.Split badSplit = new WindowSplitter(ZONE, false).begin(withBad.dir(), badDays, lookback);
        badSplit.read(withBad.openLines());
        badSplit.finish(withBad);
        assertThat(lines(badDays.get(FROM.plusDays(5)))).contains(bad).containsAll(lines(days.get(FROM.plusDays(5))));
        assertThat(badDays.get(FROM).manifest().encoding()).as("the first day is held back still").isEqualTo(Spool.OMITTED);

        // the same events and a malformed line whose time falls on a held-back day
        long time = FROM.plusDays(2).toEpochDay() * 86_400 + 3_600;
        Spool window = spool("window", (clean + "{\"event\":\"x\",\"properties\":{\"time\":" + time + ",\"a\":tru}}\n")
                .getBytes(StandardCharsets.UTF_8));
        Map<LocalDate, Spool> held = daySpools("held");
        new WindowSplitter(ZONE, false).split(window, held, published);
        assertSplitAsParsed(window, held, Map.of(FROM, 1L));
        // a line with a second time: the peek reads the first (a held-back day), a parse the last (another one)
        long second = FROM.plusDays(3).toEpochDay() * 86_400 + 60;
        Spool twice = spool("twice", (clean + "{\"event\":\"x\",\"properties\":{\"time\":" + time + ",\"time\":" + second
                + "}}\n").getBytes(StandardCharsets.UTF_8));
        Map<LocalDate, Spool> settled = daySpools("settled");
        new WindowSplitter(ZONE, false).split(twice, settled, published);
        assertSplitAsParsed(twice, settled, Map.of(FROM.plusDays(3), 0L));

        // a second time whose first one is on the new day or out of the window, and whose last one (the parser's)
        // on a held-back day: that day gains a row, as a parse gives it
        for (LocalDate first : List.of(FROM.plusDays(5), FROM.minusDays(3))) {
            long firstTime = first.toEpochDay() * 86_400 + 60;
            long lastTime = FROM.plusDays(1).toEpochDay() * 86_400 + 60;
            Spool hidden = spool("hidden-" + first, (clean + "{\"event\":\"x\",\"properties\":{\"time\":" + firstTime
                    + ",\"time\":" + lastTime + "}}\n").getBytes(StandardCharsets.UTF_8));
            Map<LocalDate, Spool> hiddenDays = daySpools("hidden-days-" + first);
            WindowSplitter.Split hiddenSplit = new WindowSplitter(ZONE, false).begin(hidden.dir(), hiddenDays, lookback);
            hiddenSplit.read(hidden.openLines());
            hiddenSplit.finish(hidden);
            assertSplitAsParsed(hidden, hiddenDays, Map.of(FROM.plusDays(1), 0L, FROM.plusDays(5), 0L));
        }
    }

    /**
     * Each of {@code days} as a split of {@code window} that parses every line gives it; the days in
     * {@code written} (with the lines each rejects) have their body, every other one none.
     */
    private void assertSplitAsParsed(Spool window, Map<LocalDate, Spool> days, Map<LocalDate, Long> written)
            throws IOException {
        Map<LocalDate, Spool> reference = daySpools(window.dir().getFileName() + "-ref");
        new WindowSplitter(ZONE, false).split(window, reference);
        for (LocalDate day : days.keySet()) {
            SpoolManifest ref = reference.get(day).manifest();
            SpoolManifest m = days.get(day).manifest();
            if (m.contentHash() != null || !written.containsKey(day)) {
                assertThat(m.contentHash()).as("%s", day).isEqualTo(ref.contentHash());
                assertThat(m.unpublishableLines()).as("%s", day).isEqualTo(ref.unpublishableLines())
                        .isEqualTo(written.getOrDefault(day, 0L));
            } // else written with lines only hashed: no counts; its lines must still be the parse's
            assertThat(m.lines()).as("%s", day).isEqualTo(ref.lines());
            assertThat(m.decodedBytes()).as("%s", day).isEqualTo(ref.decodedBytes());
            if (written.containsKey(day)) {
                assertThat(m.encoding()).as("%s", day).isIn(Spool.ZSTD, Spool.IDENTITY);
                assertThat(lines(days.get(day))).as("%s", day).isEqualTo(lines(reference.get(day)));
            } else {
                assertThat(m.encoding()).as("%s", day).isEqualTo(Spool.OMITTED);
            }
        }
    }

    /**
     * The one day a window writes beside days held back (a daily run's new day) is read back at once by its
     * conversion: it is kept as plain lines. Any other written day is zstd: two new days (a catch-up, which may
     * be many), a day split again because a held-back one changed, and a day whose spool remote workers share.
     */
    @Test
    void theOneDayWrittenBesideHeldBackDaysIsKeptPlainUnlessSpoolsAreShared() throws IOException {
        Random random = new Random(19);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            text.append(exportLine(random, FROM.plusDays(random.nextInt(6)))).append('\n');
        }
        Spool window = spool("plain-window", text.toString().getBytes(StandardCharsets.UTF_8));
        Map<LocalDate, Spool> reference = daySpools("plain-ref");
        new WindowSplitter(ZONE, false).split(window, reference);
        Map<LocalDate, String> lookback = new LinkedHashMap<>();
        reference.forEach((day, spool) -> lookback.put(day, spool.manifest().contentHash()));
        LocalDate newDay = FROM.plusDays(5);
        lookback.remove(newDay);

        Map<LocalDate, Spool> steady = daySpools("plain-steady");
        new WindowSplitter(ZONE, false).split(window, steady, lookback);
        SpoolManifest m = steady.get(newDay).manifest();
        assertThat(m.encoding()).isEqualTo(Spool.IDENTITY);
        assertThat(m.bodyBytes()).isEqualTo(m.decodedBytes()).isEqualTo(reference.get(newDay).manifest().decodedBytes());
        assertThat(lines(steady.get(newDay))).isEqualTo(lines(reference.get(newDay)));

        Map<LocalDate, String> twoNew = new LinkedHashMap<>(lookback);
        twoNew.remove(FROM.plusDays(4));
        Map<LocalDate, Spool> catchUp = daySpools("plain-two");
        new WindowSplitter(ZONE, false).split(window, catchUp, twoNew);
        assertThat(catchUp.get(FROM.plusDays(4)).manifest().encoding()).isEqualTo(Spool.ZSTD);
        assertThat(catchUp.get(newDay).manifest().encoding()).isEqualTo(Spool.ZSTD);

        Map<LocalDate, String> changed = new LinkedHashMap<>(lookback);
        changed.put(FROM.plusDays(1), "1:0");
        Map<LocalDate, Spool> again = daySpools("plain-again");
        new WindowSplitter(ZONE, false).split(window, again, changed);
        assertThat(again.get(newDay).manifest().encoding()).isEqualTo(Spool.ZSTD);
        assertThat(lines(again.get(newDay))).isEqualTo(lines(reference.get(newDay)));

        // lines whose day is only read by parsing them (a space before the first key): a changed held-back day is
        // split once more alone, and the new day stays as it was written
        byte[] parsedOnly = ("\n" + text).replace("\n{", "\n{ ").substring(1).getBytes(StandardCharsets.UTF_8);
        Spool parsedWindow = spool("plain-parsed", parsedOnly);
        Map<LocalDate, Spool> parsedRef = daySpools("plain-parsed-ref");
        new WindowSplitter(ZONE, false).split(parsedWindow, parsedRef);
        Map<LocalDate, String> parsedLookback = new LinkedHashMap<>();
        parsedRef.forEach((day, spool) -> parsedLookback.put(day, spool.manifest().contentHash()));
        parsedLookback.remove(newDay);
        parsedLookback.put(FROM.plusDays(2), "1:0");
        Map<LocalDate, Spool> parsedDays = daySpools("plain-parsed-days");
        new WindowSplitter(ZONE, false).split(parsedWindow, parsedDays, parsedLookback);
        assertThat(parsedDays.get(newDay).manifest().encoding()).isEqualTo(Spool.IDENTITY);
        assertThat(parsedDays.get(FROM.plusDays(2)).manifest().encoding()).isEqualTo(Spool.ZSTD);
        for (LocalDate day : List.of(newDay, FROM.plusDays(2))) {
            assertThat(lines(parsedDays.get(day))).as("%s", day).isEqualTo(lines(parsedRef.get(day)));
            assertThat(parsedDays.get(day).manifest().contentHash()).as("%s", day)
                    .isEqualTo(parsedRef.get(day).manifest().contentHash());
        }

        Map<LocalDate, Spool> shared = new LinkedHashMap<>();
        for (int d = 0; d < 6; d++) {
            shared.put(FROM.plusDays(d), new Spool(tmp.resolve("plain-shared-" + d),
                    new SharedSpool(new LocalStorage(), Location.of(tmp.resolve("bucket").resolve("day-" + d)))));
        }
        new WindowSplitter(ZONE, false).split(window, shared, lookback);
        assertThat(shared.get(newDay).manifest().encoding()).isEqualTo(Spool.ZSTD);
        assertThat(lines(shared.get(newDay))).isEqualTo(lines(reference.get(newDay)));
    }

    /** An event of {@code day} in the shape Mixpanel exports ({@code time} first): its day is read unparsed. */
    private static String exportLine(Random random, LocalDate day) {
        long time = day.toEpochDay() * 86_400 + random.nextInt(86_400);
        return SampleEvents.realistic(random, 0).replaceFirst("\"time\":[0-9]+", "\"time\":" + time);
    }

    @Test
    void severalBodiesSplitOneAfterTheOtherGiveTheDaysTheWholeBodyGives() throws IOException {
        byte[] body = mixedBody(new Random(17));
        Map<LocalDate, Spool> reference = daySpools("whole");
        new WindowSplitter(ZONE, false).split(spool("whole", body), reference);
        // three bodies cut at line ends, received at different times (the slices of one day, say)
        String text = new String(body, StandardCharsets.UTF_8);
        int cut1 = text.indexOf('\n', text.length() / 3) + 1;
        int cut2 = text.indexOf('\n', 2 * text.length() / 3) + 1;
        java.time.Instant latest = java.time.Instant.parse("2026-03-11T10:00:00Z");
        List<Spool> sources = List.of(
                spool("s1", text.substring(0, cut1), latest.minusSeconds(60)),
                spool("s2", text.substring(cut1, cut2), latest),
                spool("s3", text.substring(cut2), latest.minusSeconds(30)));
        Map<LocalDate, Spool> days = daySpools("parts");

        new WindowSplitter(ZONE, false).split(sources, "2026-03-05..2026-03-10", days);

        for (LocalDate day : days.keySet()) {
            SpoolManifest m = days.get(day).manifest();
            SpoolManifest whole = reference.get(day).manifest();
            assertThat(m.contentHash()).as("%s", day).isEqualTo(whole.contentHash());
            assertThat(m.unpublishableLines()).as("%s", day).isEqualTo(whole.unpublishableLines());
            assertThat(m.lines()).as("%s", day).isEqualTo(whole.lines()).isPositive();
            assertThat(m.decodedBytes()).as("%s", day).isEqualTo(whole.decodedBytes());
            assertThat(m.window()).isEqualTo("2026-03-05..2026-03-10");
            assertThat(m.completedAt()).as("completed when the last body was").isEqualTo(latest);
            assertThat(lines(days.get(day))).as("%s", day).isEqualTo(lines(reference.get(day)));
        }
    }

    private Map<LocalDate, Spool> daySpools(String prefix) {
        Map<LocalDate, Spool> days = new LinkedHashMap<>();
        for (int d = 0; d < 6; d++) {
            days.put(FROM.plusDays(d), new Spool(tmp.resolve(prefix + "-" + d)));
        }
        return days;
    }

    private static List<String> lines(Spool spool) throws IOException {
        try (InputStream in = spool.openLines()) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
    }

    /** Events of the window's days, malformed lines and events of days before and after it. */
    private static byte[] mixedBody(Random random) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            int kind = random.nextInt(20);
            if (kind == 0) {
                body.append("{\"event\":\"broken\",\"properties\":{\"time\":");
            } else if (kind == 1) {
                body.append(event(random, i, FROM.plusDays(7)));
            } else {
                body.append(event(random, i, FROM.plusDays(random.nextInt(6))));
            }
            body.append('\n');
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An event of {@code day} with random properties: its {@code time} is project-local wall-clock seconds
     * (as Mixpanel exports it), anywhere in the day, its first and last second included.
     */
    private static String event(Random random, int i, LocalDate day) {
        int second = switch (random.nextInt(50)) {
            case 0 -> 0;
            case 1 -> 86_399;
            default -> random.nextInt(86_400);
        };
        long time = day.toEpochDay() * 86_400 + second;
        return SampleEvents.varied(random, i).json().replaceFirst("\"time\":[0-9.]+", "\"time\":" + time);
    }

    private Spool spool(String name, byte[] body) throws IOException {
        Spool spool = new Spool(tmp.resolve(name));
        try (OutputStream out = spool.beginBody()) {
            out.write(body);
        }
        spool.commit(Spool.manifest(name, "identity", body.length, 0, body.length));
        return spool;
    }

    private Spool spool(String name, String body, java.time.Instant completedAt) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Spool spool = new Spool(tmp.resolve(name));
        try (OutputStream out = spool.beginBody()) {
            out.write(bytes);
        }
        spool.commit(new SpoolManifest(name, "identity", bytes.length, 0, bytes.length, completedAt));
        return spool;
    }

    record DayStepView(long rows, long hashSum, long rejected) {
    }

    /**
     * What the day step finds in a day spool: it reads it with a {@link SpoolLineReader} whose batches are
     * {@linkplain LineBatch#parse parsed} (hashed) by the same parser, publishes a line that parsed and whose
     * event falls on the day (summing its {@link LineBatch#hash}) and rejects every other.
     */
    private DayStepView convert(Spool spool, LocalDate day) throws IOException {
        MixpanelEventParser parser = new MixpanelEventParser(ZONE, false);
        long rows = 0;
        long sum = 0;
        long rejected = 0;
        try (SpoolLineReader lines = new SpoolLineReader(spool.openLines(), 0, 1, SpoolLineReader.BATCH_BYTES,
                SpoolLineReader.MAX_LINE_BYTES, b -> b.parse(parser), spool.rejectedDir())) {
            for (LineBatch batch = lines.next(); batch != null && !batch.isEnd(); batch = lines.next()) {
                for (int i = 0; i < batch.size(); i++) {
                    if (batch.length(i) == LineBatch.OVERSIZED || batch.error(i) != null
                            || batch.event(i).eventEpochDay() != day.toEpochDay()) {
                        rejected++;
                    } else {
                        rows++;
                        sum += batch.hash(i);
                    }
                }
                lines.recycle(batch);
            }
        }
        return new DayStepView(rows, sum, rejected);
    }
}
