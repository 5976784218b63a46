package io.mixpanelpipelines.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The generated events, without HTTP: validity, determinism and the hard cases. */
class SimulatorEventsTests {

    private static final LocalDate DAY = LocalDate.of(2024, 3, 9);
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static MixpanelSimulator simulator(long seed) {
        return MixpanelSimulator.builder().seed(seed).projectSecret("s").bigEventEvery(500).build();
    }

    private static List<JsonNode> parse(List<String> lines) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            events.add(JSON.readTree(line));
        }
        return events;
    }

    @Test
    void everyLineIsOneValidEventWithoutDuplicateKeys() {
        List<String> lines = simulator(1).expectedLines(DAY, false);

        assertThat(lines).hasSize(1000);
        for (JsonNode event : parse(lines)) {
            assertThat(event.propertyNames()).containsExactly("event", "properties");
            assertThat(event.get("event").isString()).isTrue();
            assertThat(event.get("properties").get("time").isIntegralNumber()).isTrue();
        }
        assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain("\n", "\r"));
    }

    @Test
    void sameSeedGivesSameLinesAndAnotherSeedDoesNot() {
        assertThat(simulator(7).expectedLines(DAY, false)).isEqualTo(simulator(7).expectedLines(DAY, false));
        assertThat(simulator(7).expectedLines(DAY, false)).isNotEqualTo(simulator(8).expectedLines(DAY, false));
        assertThat(simulator(7).expectedLines(DAY, false))
                .isNotEqualTo(simulator(7).expectedLines(DAY.plusDays(1), false));
    }

    @Test
    void averageLineIsAboutThe750BytesOfRealExports() {
        List<String> lines = MixpanelSimulator.builder().projectSecret("s").bigEventEvery(0).eventsPerDay(5000)
                .build().expectedLines(DAY, false);

        double average = lines.stream().mapToInt(l -> l.getBytes(StandardCharsets.UTF_8).length).average()
                .orElseThrow();
        assertThat(average).isBetween(550.0, 1000.0);
        double properties = parse(lines.subList(0, 500)).stream().mapToInt(e -> e.get("properties").size())
                .average().orElseThrow();
        assertThat(properties).isBetween(20.0, 35.0);
    }

    @Test
    void everyHardCaseAppearsInADayOfAThousandEvents() {
        List<String> lines = simulator(3).expectedLines(DAY, false);
        List<JsonNode> props = parse(lines).stream().map(e -> e.get("properties")).toList();

        assertThat(props).anyMatch(p -> !p.has("distinct_id"));
        assertThat(props).anyMatch(p -> p.has("distinct_id") && p.get("distinct_id").isNumber());
        assertThat(props).anyMatch(p -> p.has("distinct_id") && p.get("distinct_id").isNumber()
                && p.get("distinct_id").bigIntegerValue().equals(BigInteger.valueOf(9_007_199_254_740_993L)));
        assertThat(props).filteredOn(p -> p.has("distinct_id") && p.get("distinct_id").isString())
                .hasSizeGreaterThan(800);
        assertThat(props).anyMatch(p -> !p.has("$insert_id"));
        assertThat(props).anyMatch(p -> p.has("$user_id"));
        assertThat(props).anyMatch(p -> p.has("plan") && p.has("Plan") && p.has("PLAN"));
        assertThat(props).anyMatch(p -> p.has("cart total") && p.has("item.count") && p.has("price$usd")
                && p.has("ключ") && p.has("キー 🔑"));
        assertThat(props).anyMatch(p -> p.has("big_unsigned")
                && p.get("big_unsigned").bigIntegerValue().equals(new BigInteger("12345678901234567890"))
                && p.get("below_min_safe").longValue() == -9_007_199_254_740_993L);
        assertThat(props).anyMatch(p -> p.has("items") && p.get("items").size() == 255);
        assertThat(props).anyMatch(p -> p.path("context").path("page").path("section").path("id").isNumber());
        assertThat(props).anyMatch(p -> p.has("coupon") && p.get("coupon").isNull());
        assertThat(props).anyMatch(p -> p.get("is_trial").isBoolean());
        assertThat(props).anyMatch(p -> p.get("score").isFloatingPointNumber());
        assertThat(props).anyMatch(p -> p.has("$browser_version") && p.get("$browser_version").isString());
        assertThat(props).anyMatch(p -> p.has("$browser_version") && p.get("$browser_version").isNumber());
        assertThat(props).anyMatch(p -> p.path("note").asString("").contains("\u0000"));
        assertThat(props).anyMatch(p -> p.path("note").asString("").contains("🎉"));
        assertThat(props).anyMatch(p -> p.path("note").asString("").contains("مرحبا"));
        assertThat(props).anyMatch(p -> p.path("note").asString("").contains("你好"));
        assertThat(props).anyMatch(p -> p.has("title_ascii_escaped"));

        assertThat(lines).anyMatch(contains("\\\""));
        assertThat(lines).anyMatch(contains("\\\\"));
        assertThat(lines).anyMatch(contains("\\n"));
        assertThat(lines).anyMatch(contains("\\u0000"));
        assertThat(lines).anyMatch(contains("\\/"));
        assertThat(lines).anyMatch(contains("\\ud83c\\udf89")); // 🎉 written as an escaped surrogate pair
        assertThat(lines).filteredOn(l -> l.getBytes(StandardCharsets.UTF_8).length > 64 * 1024).hasSize(2);

        Set<String> names = new HashSet<>();
        parse(lines).forEach(e -> names.add(e.get("event").asString()));
        assertThat(names).hasSizeGreaterThanOrEqualTo(18).contains("注文完了", "🎉 Celebration", "Page View");
    }

    @Test
    void linesAreNotInTimeOrderButSpreadOverTheDay() {
        List<Long> times = parse(simulator(1).expectedLines(DAY, false)).stream()
                .map(e -> e.get("properties").get("time").longValue()).toList();

        assertThat(times).isNotEqualTo(times.stream().sorted().toList());
        long dayStart = DAY.toEpochSecond(java.time.LocalTime.MIDNIGHT, ZoneOffset.UTC);
        assertThat(times).allMatch(t -> t >= dayStart && t < dayStart + 86_400);
        assertThat(times).anyMatch(t -> t < dayStart + 3 * 3600).anyMatch(t -> t > dayStart + 21 * 3600);
    }

    @Test
    void timeInMsIsTheSameInstantInMilliseconds() {
        MixpanelSimulator sim = simulator(1);
        List<JsonNode> seconds = parse(sim.expectedLines(DAY, false));
        List<JsonNode> millis = parse(sim.expectedLines(DAY, true));

        for (int i = 0; i < seconds.size(); i++) {
            long s = seconds.get(i).get("properties").get("time").longValue();
            long ms = millis.get(i).get("properties").get("time").longValue();
            assertThat(Math.floorDiv(ms, 1000)).isEqualTo(s);
        }
        assertThat(millis).anyMatch(e -> e.get("properties").get("time").longValue() % 1000 != 0);
    }

    @Test
    void nonUtcProjectsUseLocalSecondsAndTrueUtcProcessingTime() {
        ZoneId zone = ZoneId.of("America/Los_Angeles");
        MixpanelSimulator sim = MixpanelSimulator.builder().projectSecret("s").timezone(zone).build();

        for (JsonNode event : parse(sim.expectedLines(DAY, true))) {
            JsonNode p = event.get("properties");
            long localMillis = p.get("time").longValue();
            LocalDateTime wallClock = LocalDateTime.ofEpochSecond(Math.floorDiv(localMillis, 1000), 0, ZoneOffset.UTC);
            assertThat(wallClock.toLocalDate()).isEqualTo(DAY);
            long utcMillis = wallClock.atZone(zone).toInstant().toEpochMilli() + Math.floorMod(localMillis, 1000);
            // Los Angeles is behind UTC, so the true instant is later than the local-seconds reading
            assertThat(utcMillis).isGreaterThan(localMillis);
            assertThat(p.get("mp_processing_time_ms").longValue()).isGreaterThan(utcMillis);
        }
    }

    @Test
    void shuffleIsAPermutationOfEveryIndex() {
        for (long size : new long[] {1, 2, 3, 7, 1000, 4097}) {
            IndexPermutation permutation = new IndexPermutation(size, 42);
            Set<Long> seen = new HashSet<>();
            for (long position = 0; position < size; position++) {
                seen.add(permutation.indexAt(position));
            }
            assertThat(seen).hasSize((int) size).allMatch(i -> i >= 0 && i < size);
        }
    }

    private static Predicate<String> contains(String text) {
        return line -> line.contains(text);
    }
}
