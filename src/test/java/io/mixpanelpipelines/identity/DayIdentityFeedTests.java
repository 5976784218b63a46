package io.mixpanelpipelines.identity;

import static io.mixpanelpipelines.identity.DayIdentitiesTests.event;
import static io.mixpanelpipelines.identity.DayIdentitiesTests.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.identity.DayIdentities.Mapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity mappings derived on the feed's own thread equal those of {@link DayIdentities#offer} on the
 * caller's: the spill test's random day (device logins, the three merge events, ids that map only one form),
 * offered through one reused event as a day's writer does; records larger than a block; a failing spill
 * thrown to the writer; a feed closed with work queued.
 */
class DayIdentityFeedTests {

    @TempDir
    Path tmp;

    private static void feedAll(DayIdentityFeed feed, List<String> lines) throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        ParsedEvent e = new ParsedEvent(); // reused, as a batch's events are once the writer hands the batch back
        for (String l : lines) {
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            parser.parse(b, 0, b.length, e);
            feed.offer(e);
            java.util.Arrays.fill(b, (byte) 'x'); // the line's buffer reused: the feed must have copied what it needs
        }
    }

    @Test
    void theFeedDerivesWhatOfferingEachEventDerives() throws Exception {
        List<String> lines = DayIdentitiesSpillTests.day(7, 20_000);
        List<Mapping> want = DayIdentitiesSpillTests.reference(lines);
        try (DayIdentities ids = new DayIdentities(tmp.resolve("spill"), 100)) {
            DayIdentityFeed feed = new DayIdentityFeed(ids, "identity-test");
            feedAll(feed, lines.subList(0, 5_000));
            feed.drain();
            long spillsHalfWay = ids.spills();
            feedAll(feed, lines.subList(5_000, lines.size()));
            feed.drain();
            feed.drain(); // twice: nothing more to wait for
            assertThat(rows(ids)).isEqualTo(want);
            assertThat(ids.spills()).isGreaterThan(spillsHalfWay).isGreaterThan(32);
            feed.close();
        }
    }

    @Test
    void aMergeEventLargerThanABlockIsDerivedToo() throws Exception {
        String padding = "p".repeat(DayIdentityFeed.BLOCK * 2);
        List<String> lines = List.of(
                event("Login", 1_769_904_001L, "\"$device_id\":\"d1\",\"$user_id\":\"u1\""),
                event("$identify", 1_769_904_002L, "\"pad\":\"" + padding + "\",\"$anon_distinct_id\":\"a\",\"$identified_id\":\"u\""),
                event("$merge", 1_769_904_003L, "\"$distinct_ids\":[\"c\",\"m\"]"));
        try (DayIdentities ids = new DayIdentities(tmp.resolve("spill"), 10)) {
            DayIdentityFeed feed = new DayIdentityFeed(ids, "identity-test");
            feedAll(feed, lines);
            feed.drain();
            assertThat(rows(ids)).extracting(Mapping::distinctId).containsExactly("$device:d1", "a", "d1", "m");
            feed.close();
        }
    }

    @Test
    void aSpillThatCannotBeWrittenFailsTheWriterAndTheFeedStops() throws Exception {
        Path notAFolder = tmp.resolve("file");
        Files.writeString(notAFolder, "x");
        DayIdentities ids = new DayIdentities(notAFolder.resolve("spill"), 2);
        DayIdentityFeed feed = new DayIdentityFeed(ids, "identity-test");
        List<String> lines = DayIdentitiesSpillTests.day(3, 2_000);
        assertThatThrownBy(() -> {
            feedAll(feed, lines); // the failure is seen by a later hand-over, or by the drain
            feed.drain();
        }).isInstanceOfAny(IOException.class, UncheckedIOException.class);
        assertThatThrownBy(feed::drain).as("and again").isInstanceOf(IOException.class);
        feed.close();
    }

    @Test
    void aFeedClosedAndOfferedAgainDerivesOnANewThread() throws Exception {
        List<String> lines = DayIdentitiesSpillTests.day(11, 4_000);
        try (DayIdentities ids = new DayIdentities(tmp.resolve("spill"), 100)) {
            DayIdentityFeed feed = new DayIdentityFeed(ids, "identity-test");
            feedAll(feed, lines.subList(0, 2_000));
            feed.drain();
            feed.close();
            feedAll(feed, lines.subList(2_000, lines.size()));
            feed.drain();
            assertThat(rows(ids)).isEqualTo(DayIdentitiesSpillTests.reference(lines));
            feed.close();
        }
    }

    @Test
    void aThreadThatEndedUnclosedFailsTheWriterInsteadOfBlockingIt() throws Exception {
        try (DayIdentities ids = new DayIdentities(tmp.resolve("spill"), 100)) {
            DayIdentityFeed feed = new DayIdentityFeed(ids, "identity-interrupted-test");
            List<String> lines = DayIdentitiesSpillTests.day(13, 2_000);
            feedAll(feed, lines.subList(0, 10));
            feed.drain();
            Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("identity-interrupted-test"))
                    .forEach(Thread::interrupt); // nothing does this; if something did, the writer must not hang
            assertThatThrownBy(() -> {
                for (int i = 0; i < 200; i++) { // blocks of merge events: the queue would fill up
                    feedAll(feed, lines);
                }
                feed.drain();
            }).isInstanceOfAny(IOException.class, UncheckedIOException.class);
            feed.close();
        }
    }

    @Test
    void closingWithWorkQueuedStopsTheThread() throws Exception {
        try (DayIdentities ids = new DayIdentities(tmp.resolve("spill"), 50)) {
            DayIdentityFeed feed = new DayIdentityFeed(ids, "identity-close-test");
            feedAll(feed, DayIdentitiesSpillTests.day(5, 20_000));
            feed.close();
            feed.close(); // twice
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("identity-close-test"));
        }
    }
}
