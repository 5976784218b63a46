package io.mixpanelpipelines.simulator;

/**
 * The fixed vocabularies generated events are drawn from: names, places, devices and strings chosen to
 * hit the cases real exports contain (unicode, JSON escapes, right-to-left text). Constants only.
 */
final class EventCatalog {

    private EventCatalog() {
    }

    static final String[] EVENT_NAMES = {
        "Page View", "Signed up", "Login", "Logout", "Search", "Added to Cart", "Checkout Started",
        "Purchase Completed", "Video Played", "App Open", "Item Viewed", "Share", "Notification Received",
        "$identify", "$mp_web_page_view", "$ae_session", "Übersicht geöffnet", "注文完了", "🎉 Celebration",
        "Error \"quoted\" \\ name",
    };

    /** City, region and country code, kept together so an event stays geographically consistent. */
    static final String[][] PLACES = {
        {"San Francisco", "California", "US"},
        {"New York", "New York", "US"},
        {"São Paulo", "São Paulo", "BR"},
        {"東京", "東京都", "JP"},
        {"القاهرة", "محافظة القاهرة", "EG"},
        {"תל אביב", "מחוז תל אביב", "IL"},
        {"Zürich", "Zürich", "CH"},
        {"Kraków", "Lesser Poland", "PL"},
        {"Mumbai", "Maharashtra", "IN"},
        {"Reykjavík", "Capital Region", "IS"},
    };

    /** mp_lib, $lib_version, $os, $browser (null for mobile), $mp_api_endpoint. */
    static final String[][] PLATFORMS = {
        {"web", "2.55.1", "Windows", "Chrome", "api-js.mixpanel.com"},
        {"web", "2.49.0", "Mac OS X", "Safari", "api-js.mixpanel.com"},
        {"web", "2.55.1", "Linux", "Firefox", "api-js.mixpanel.com"},
        {"web", "2.47.0", "Windows", "Microsoft Edge", "api-js.mixpanel.com"},
        {"android", "7.3.1", "Android", null, "api.mixpanel.com"},
        {"iphone", "4.2.0", "iOS", null, "api.mixpanel.com"},
        {"python", "4.10.1", null, null, "api.mixpanel.com"},
        {"node", "0.18.0", null, null, "api.mixpanel.com"},
    };

    static final String[] URL_PATHS = {
        "/", "/pricing", "/docs/getting-started?utm_source=newsletter&ref=a%20b", "/blog/2024/hello-world",
        "/checkout#step-2", "/search?q=caf%C3%A9", "/app/dashboard", "/signup",
    };

    static final String[] REFERRERS = {
        "$direct", "https://www.google.com/", "https://news.ycombinator.com/item?id=1", "https://t.co/abc",
    };

    /** Texts full of escapes, control characters and scripts; every one is valid in a JSON string. */
    static final String[] TRICKY_TEXTS = {
        "He said \"hi\" and left",
        "C:\\Users\\tmp\\file.txt",
        "line one\nline two\r\nline three\ttabbed",
        "nul\u0000byte, bell\u0007, escape\u001b, unit sep\u001f, form feed\f, backspace\b",
        "emoji 🎉🚀 family 👨‍👩‍👧 flag 🇯🇵 skin 👍🏽",
        "CJK 你好，世界 / 日本語のテキスト / 한국어",
        "RTL مرحبا بالعالم and שלום עולם mixed with LTR",
        "</script><script>alert('x')</script>",
        "separators \u2028 and \u2029, zero width \u200b, BOM \ufeff",
        "",
        "   leading and trailing spaces   ",
        "combining e\u0301 vs é, Ω vs Ω",
    };

    static final String[] PLANS = {"free", "pro", "enterprise", "trial"};

    static final String ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static final String HEX = "0123456789abcdef";

    /** The text carried by "big" events: over 64 KiB once encoded, with escapes and multi-byte chars. */
    static final String BIG_TEXT = bigText();

    private static String bigText() {
        String unit = "Lorem ipsum \"dolor\" sit amet \\ consectetur / 日本語 🎉 مرحبا\n";
        StringBuilder sb = new StringBuilder(70_000);
        while (sb.length() < 68_000) {
            sb.append(unit);
        }
        return sb.toString();
    }
}
