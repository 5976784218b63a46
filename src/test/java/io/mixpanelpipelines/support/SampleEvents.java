package io.mixpanelpipelines.support;

import java.util.Random;

/** Generates export lines together with the values they should parse to. */
public final class SampleEvents {

    private static final String[] NAMES = {"Signed up", "Page View", "Purchase ✓", "$identify", "Заказ", "app \"open\""};
    private static final String[] ODD_TEXT = {"plain", "quote \" inside", "back\\slash", "tab\tnew\nline",
            "😀 emoji", "nul \u0000 char", "ключ", "日本語", "slash /", ""};

    /** One line and the values expected from it. */
    public record Line(String json, String eventName, long timeMicros, String distinctId, String insertId,
            String deviceId, String userId, Long mpProcessingTimeMicros, String properties) {
    }

    private SampleEvents() {
    }

    /** A line exercising a random mix of value types, escapes and missing fields. */
    public static Line varied(Random random, int i) {
        String name = NAMES[random.nextInt(NAMES.length)];
        long timeSeconds = 1_600_000_000L + random.nextInt(100_000_000);
        boolean fractional = random.nextInt(5) == 0;
        int micros = fractional ? random.nextInt(1_000_000) : 0;
        String timeText = fractional ? timeSeconds + "." + String.format("%06d", micros) : Long.toString(timeSeconds);

        StringBuilder p = new StringBuilder("{");
        String distinct = null;
        String insert = null;
        String device = null;
        String user = null;
        Long mp = null;
        p.append("\"time\":").append(timeText);
        switch (random.nextInt(4)) {
            case 0 -> {
                distinct = "user-" + random.nextInt(500);
                p.append(",\"distinct_id\":").append(quote(distinct));
            }
            case 1 -> {
                distinct = Integer.toString(random.nextInt(100_000));
                p.append(",\"distinct_id\":").append(distinct);
            }
            case 2 -> {
                distinct = ODD_TEXT[random.nextInt(ODD_TEXT.length)] + random.nextInt(10);
                p.append(",\"distinct_id\":").append(quote(distinct));
            }
            default -> p.append(",\"distinct_id\":null");
        }
        if (random.nextInt(10) > 0) {
            insert = Long.toHexString(random.nextLong()) + i;
            p.append(",\"$insert_id\":").append(quote(insert));
        }
        if (random.nextBoolean()) {
            device = "dev-" + random.nextInt(300);
            p.append(",\"$device_id\":").append(quote(device));
        }
        if (random.nextInt(3) == 0) {
            user = "u" + random.nextInt(200) + "@example.com";
            p.append(",\"$user_id\":").append(quote(user));
        }
        if (random.nextInt(10) > 0) {
            long ms = timeSeconds * 1000 + random.nextInt(10_000_000);
            mp = ms * 1000;
            p.append(",\"mp_processing_time_ms\":").append(ms);
        }
        p.append(",\"big\":").append("1234567890123456789").append(random.nextInt(1000));
        p.append(",\"Plan\":\"a\",\"plan\":\"b\",\"key with space.and.dots\":true,\"$lib\":\"web\"");
        p.append(",\"ключ\":").append(quote(ODD_TEXT[random.nextInt(ODD_TEXT.length)]));
        p.append(",\"raw escapes\":\"\\u00e9\\/\\ud83d\\ude00\"");
        p.append(",\"nested\":{\"time\":1,\"list\":[1,2.5,null,{\"a\":[]}]}");
        if (random.nextBoolean()) {
            p.append(",\"float\":").append(random.nextDouble() * 1e6);
        }
        p.append(" }");
        String properties = p.toString();
        String json = random.nextBoolean()
                ? "{\"event\":" + quote(name) + ",\"properties\":" + properties + "}"
                : "{\"properties\":" + properties + ", \"event\":" + quote(name) + "}";
        return new Line(json, name, timeSeconds * 1_000_000L + micros, distinct, insert, device, user, mp, properties);
    }

    /** A realistic ~750-byte event, for throughput measurements. */
    public static String realistic(Random random, int i) {
        long time = 1_700_000_000L + random.nextInt(86_400);
        return "{\"event\":\"" + NAMES[random.nextInt(3)] + "\",\"properties\":{\"time\":" + time
                + ",\"distinct_id\":\"" + Long.toHexString(random.nextLong()) + "-" + random.nextInt(10_000) + "\""
                + ",\"$browser\":\"Chrome\",\"$browser_version\":120,\"$city\":\"San Francisco\","
                + "\"$current_url\":\"https://example.com/products/" + random.nextInt(1000) + "?utm_source=newsletter\","
                + "\"$device_id\":\"18c" + Long.toHexString(random.nextLong()) + "\",\"$initial_referrer\":\"$direct\","
                + "\"$initial_referring_domain\":\"$direct\",\"$insert_id\":\"" + Long.toHexString(random.nextLong())
                + Long.toHexString(random.nextLong()) + "\",\"$lib_version\":\"2.47.0\",\"$mp_api_endpoint\":\"api-js.mixpanel.com\","
                + "\"$mp_api_timestamp_ms\":" + (time * 1000 + 512) + ",\"$os\":\"Mac OS X\",\"$region\":\"California\","
                + "\"$screen_height\":1117,\"$screen_width\":1728,\"$user_id\":\"user" + random.nextInt(100_000) + "\","
                + "\"mp_country_code\":\"US\",\"mp_lib\":\"web\",\"mp_processing_time_ms\":" + (time * 1000 + 1234)
                + ",\"mp_sent_by_lib_version\":\"2.47.0\",\"plan\":\"pro\",\"cart_value\":" + random.nextInt(100000) / 100.0
                + ",\"items\":[\"sku-" + random.nextInt(500) + "\",\"sku-" + random.nextInt(500) + "\"],"
                + "\"experiment\":{\"name\":\"checkout_v2\",\"variant\":\"B\"}}}";
    }

    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
