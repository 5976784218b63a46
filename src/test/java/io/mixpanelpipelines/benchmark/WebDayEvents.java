package io.mixpanelpipelines.benchmark;

/**
 * The flat web-SDK day of issue 15: about 25 short properties per event, mostly strings and small
 * numbers as the JavaScript SDK sends them ({@code $browser}, {@code $current_url}, {@code $referrer},
 * {@code $os}, {@code $screen_height}, {@code utm_*}), few nested values, a few small lists, browser and
 * page shares skewed the way real traffic is, unicode in places and titles. About 750 bytes an event.
 */
final class WebDayEvents extends SyntheticEvents {

    private static final String[] EVENTS = {"$mp_web_page_view", "Page View", "Button Clicked", "Search",
        "Added to Cart", "Sign Up", "Purchase", "Video Played"};
    private static final int[] EVENT_SHARE = {38, 22, 14, 9, 7, 4, 3, 3};
    private static final String[][] BROWSERS = {
        {"Chrome", "Windows"}, {"Chrome", "Mac OS X"}, {"Mobile Safari", "iOS"}, {"Chrome", "Android"},
        {"Safari", "Mac OS X"}, {"Microsoft Edge", "Windows"}, {"Firefox", "Linux"}, {"Samsung Internet", "Android"}};
    private static final int[] BROWSER_SHARE = {34, 14, 18, 12, 8, 7, 4, 3};
    private static final String[] PATHS = {"/", "/pricing", "/products/running-shoes-air-zoom", "/cart",
        "/checkout/payment", "/blog/2025/how-we-ship", "/search", "/account/settings", "/de/produkte/laufschuhe",
        "/ja/カテゴリ/靴", "/help/articles/returns-policy", "/collections/sale"};
    private static final int[] PATH_SHARE = {20, 9, 18, 8, 5, 6, 9, 5, 5, 3, 5, 7};
    private static final String[] TITLES = {"Home | Shop", "Pricing – Shop", "Air Zoom Running Shoe", "Your cart",
        "Checkout", "How we ship — Engineering blog", "Search results", "Settings", "Laufschuhe für Herren",
        "靴 | ショップ", "Returns policy", "Sale: up to 50% off 🎉"};
    private static final String[] REFERRERS = {"$direct", "https://www.google.com/", "https://www.bing.com/",
        "https://t.co/", "https://www.facebook.com/", "https://news.ycombinator.com/", "https://duckduckgo.com/"};
    private static final int[] REFERRER_SHARE = {40, 35, 6, 5, 7, 3, 4};
    private static final String[] SOURCES = {"google", "newsletter", "facebook", "twitter", "partner_blog"};
    private static final String[] MEDIUMS = {"cpc", "email", "social", "referral"};
    private static final String[] CAMPAIGNS = {"black_friday_2025", "spring_sale", "brand_search", "retargeting_q4",
        "welcome_series_3"};
    private static final String[][] PLACES = {{"San Francisco", "California", "US"}, {"London", "England", "GB"},
        {"Berlin", "Berlin", "DE"}, {"São Paulo", "São Paulo", "BR"}, {"東京", "東京都", "JP"},
        {"Paris", "Île-de-France", "FR"}, {"Toronto", "Ontario", "CA"}, {"Kraków", "Lesser Poland", "PL"},
        {"Zürich", "Zürich", "CH"}, {"Bengaluru", "Karnataka", "IN"}};
    private static final int[] PLACE_SHARE = {28, 14, 10, 8, 8, 8, 7, 5, 4, 8};
    private static final String[] EXPERIMENTS = {"new_checkout", "hero_video", "pricing_v3", "search_ranking_b"};
    private static final int[][] SCREENS = {{1920, 1080}, {1440, 900}, {390, 844}, {412, 915}, {1536, 864},
        {2560, 1440}};

    private String event;

    @Override
    String name() {
        return "web";
    }

    @Override
    long salt() {
        return 0x77eb;
    }

    @Override
    int version() {
        return 2;
    }

    @Override
    protected String eventName() {
        event = weighted(EVENTS, EVENT_SHARE);
        return event;
    }

    @Override
    protected void properties(long time, long index) {
        String[] browser = weighted(BROWSERS, BROWSER_SHARE);
        String[] place = weighted(PLACES, PLACE_SHARE);
        int page = pageIndex();
        String device = uuid();
        boolean identified = chance(45);
        // a user's id is the same on each of their events: derived from the user's number, not drawn
        String user = Long.toHexString(r.nextInt(200_000) * 0x9E3779B97F4A7C15L);
        str("distinct_id", identified ? user : "$device:" + device);
        str("$browser", browser[0]);
        num("$browser_version", 100 + r.nextInt(32));
        String query = chance(30) ? "?utm_source=" + pick(SOURCES) + "&utm_medium=" + pick(MEDIUMS)
                + (chance(50) ? "&gclid=" + token(32) : "") : "";
        String id = page == 2 || page == 4 ? "-" + (10_000 + r.nextInt(90_000)) : "";
        str("$current_url", "https://shop.example.com" + PATHS[page] + id + query);
        String referrer = weighted(REFERRERS, REFERRER_SHARE);
        str("$referrer", referrer);
        str("$referring_domain", referrer.startsWith("$") ? referrer : referrer.substring(8, referrer.length() - 1));
        str("$initial_referrer", chance(50) ? "$direct" : referrer);
        str("$os", browser[1]);
        int[] screen = pick(SCREENS);
        num("$screen_height", screen[1]);
        num("$screen_width", screen[0]);
        str("$city", place[0]);
        str("$region", place[1]);
        str("mp_country_code", place[2]);
        str("$device_id", device);
        str("$insert_id", token(20));
        str("$lib_version", "2.5" + r.nextInt(6) + "." + r.nextInt(3));
        str("mp_lib", "web");
        if (identified) {
            str("$user_id", user);
        }
        num("mp_processing_time_ms", time * 1000 + r.nextInt(1000) + 300 + r.nextInt(60_000));
        if (!query.isEmpty() || chance(15)) {
            str("utm_source", pick(SOURCES));
            str("utm_medium", pick(MEDIUMS));
            str("utm_campaign", pick(CAMPAIGNS));
        }
        str("title", TITLES[page]);
        bool("logged_in", identified);
        if (chance(60)) {
            stringList("experiments", EXPERIMENTS, 1 + r.nextInt(3));
        }
        eventProperties();
    }

    private int pageIndex() {
        return switch (event) {
            case "Search" -> 6;
            case "Added to Cart" -> 2;
            case "Purchase" -> 4;
            default -> {
                int x = r.nextInt(100);
                int i = 0;
                while (i < PATH_SHARE.length - 1 && (x -= PATH_SHARE[i]) >= 0) {
                    i++;
                }
                yield i;
            }
        };
    }

    private void eventProperties() {
        switch (event) {
            case "Search" -> {
                str("query", pick(new String[] {"running shoes", "laufschuhe herren", "靴", "gift card", "size 42"}));
                num("results", r.nextInt(200));
            }
            case "Added to Cart", "Purchase" -> {
                str("sku", "SKU-" + (10_000 + r.nextInt(5_000)));
                dec("price", 999 + r.nextInt(20_000));
                str("currency", pick(new String[] {"USD", "EUR", "GBP", "JPY"}));
                num("quantity", 1 + r.nextInt(3));
                key("cart").sb.append("{\"items\":").append(1 + r.nextInt(6)).append(",\"value\":")
                        .append(r.nextInt(50_000) / 100.0).append('}');
            }
            case "Button Clicked" -> {
                str("button", pick(new String[] {"Buy now", "Add to cart", "Jetzt kaufen", "Subscribe", "購入する"}));
                str("section", pick(new String[] {"hero", "footer", "product_grid", "nav"}));
            }
            case "Video Played" -> {
                str("video_id", "v_" + token(8));
                num("position_s", r.nextInt(600));
            }
            default -> num("scroll_depth", r.nextInt(101));
        }
    }
}
