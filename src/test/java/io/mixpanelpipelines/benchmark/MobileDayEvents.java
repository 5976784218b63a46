package io.mixpanelpipelines.benchmark;

/**
 * The heavy mobile day of issue 15: events of a mobile SDK with many properties ({@code $app_version},
 * {@code $carrier}, {@code $model}, {@code $os_version}, ...), long nested objects (device, app, session,
 * network), arrays of objects (cart items, experiments, recent screens), long strings (push tokens, user
 * agents, the odd stack trace) and some events delivered days late. 1.5-2 KB an event.
 */
final class MobileDayEvents extends SyntheticEvents {

    private static final String[] EVENTS = {"App Open", "Screen View", "Product Viewed", "Add To Cart",
        "Checkout Completed", "Push Opened", "App Crashed", "Session End"};
    private static final int[] EVENT_SHARE = {18, 34, 16, 10, 4, 8, 2, 8};
    /** mp_lib, $os, $manufacturer, $model, $os_version, $lib_version. */
    private static final String[][] DEVICES = {
        {"swift", "iOS", "Apple", "iPhone15,2", "17.4.1", "4.2.0"},
        {"swift", "iOS", "Apple", "iPhone14,5", "16.7.8", "4.1.3"},
        {"swift", "iOS", "Apple", "iPad13,18", "17.5", "4.2.0"},
        {"android", "Android", "samsung", "SM-S918B", "14", "7.4.2"},
        {"android", "Android", "Google", "Pixel 8", "14", "7.4.2"},
        {"android", "Android", "Xiaomi", "2201117TG", "13", "7.3.1"},
        {"react-native", "Android", "OnePlus", "CPH2449", "13", "3.0.1"}};
    private static final int[] DEVICE_SHARE = {26, 14, 6, 20, 12, 14, 8};
    private static final String[] CARRIERS = {"Verizon", "T-Mobile", "AT&T", "Vodafone DE", "Orange F",
        "NTT DOCOMO", "Telefônica Brasil", "Jio 4G", ""};
    private static final String[] LOCALES = {"en_US", "de_DE", "pt_BR", "ja_JP", "fr_FR", "hi_IN", "es_MX"};
    private static final String[] ZONES = {"America/Los_Angeles", "America/New_York", "Europe/Berlin",
        "America/Sao_Paulo", "Asia/Tokyo", "Europe/Paris", "Asia/Kolkata"};
    private static final String[] SCREENS = {"HomeFeedViewController", "ProductDetailScreen", "CartScreen",
        "CheckoutPaymentFragment", "SearchResultsScreen", "ProfileSettingsActivity", "OrderHistoryScreen"};
    private static final String[] PRODUCTS = {"Trail Runner GTX – Men's", "Sac à dos urbain 22 L",
        "Kabellose Kopfhörer Pro", "防水ジャケット（メンズ）", "Garrafa térmica 750 ml", "Yoga Mat Extra Thick 6mm"};
    private static final String[] CATEGORIES = {"footwear", "outdoor", "electronics", "apparel", "sale",
        "new-arrivals", "gifts"};
    private static final String TRACE = "java.lang.IllegalStateException: Fragment ProductDetailFragment{8a1c2f}"
            + " not attached to a context.\n\tat androidx.fragment.app.Fragment.requireContext(Fragment.java:972)\n"
            + "\tat com.example.shop.product.ProductDetailFragment.onPriceLoaded(ProductDetailFragment.kt:214)\n"
            + "\tat com.example.shop.product.PriceRepository$load$1.invokeSuspend(PriceRepository.kt:88)\n"
            + "\tat kotlin.coroutines.jvm.internal.BaseContinuationImpl.resumeWith(ContinuationImpl.kt:33)\n"
            + "\tat kotlinx.coroutines.DispatchedTask.run(DispatchedTask.kt:108)";

    private String event;

    @Override
    String name() {
        return "mobile";
    }

    @Override
    long salt() {
        return 0x30b11e;
    }

    @Override
    int version() {
        return 1;
    }

    @Override
    protected String eventName() {
        event = weighted(EVENTS, EVENT_SHARE);
        return event;
    }

    @Override
    protected void properties(long time, long index) {
        String[] device = weighted(DEVICES, DEVICE_SHARE);
        boolean ios = device[1].equals("iOS");
        String deviceId = ios ? uuid().toUpperCase(java.util.Locale.ROOT) : hex(16);
        int user = r.nextInt(500_000);
        boolean identified = chance(70);
        str("distinct_id", identified ? "u_" + user : "$device:" + deviceId);
        str("$device_id", deviceId);
        if (identified) {
            str("$user_id", "u_" + user);
        }
        str("$insert_id", uuid());
        String version = "5." + (8 + r.nextInt(5)) + "." + r.nextInt(4);
        str("$app_version", version);
        str("$app_version_string", version);
        str("$app_build_number", String.valueOf(50_000 + r.nextInt(3_000)));
        str("$app_release", String.valueOf(50_000 + r.nextInt(3_000)));
        str("$carrier", pick(CARRIERS));
        str("$manufacturer", device[2]);
        str("$brand", device[2]);
        str("$model", device[3]);
        str("$os", device[1]);
        str("$os_version", device[4]);
        str("$lib_version", device[5]);
        str("mp_lib", device[0]);
        num("$screen_height", ios ? 2556 : 2340);
        num("$screen_width", ios ? 1179 : 1080);
        num("$screen_dpi", ios ? 460 : 420 + r.nextInt(100));
        bool("$wifi", chance(55));
        bool("$bluetooth_enabled", chance(40));
        str("$radio", pick(new String[] {"LTE", "5G NR", "HSPA+", "None"}));
        str("$city", pick(new String[] {"Austin", "München", "Rio de Janeiro", "大阪市", "Lyon", "Pune", "Guadalajara"}));
        str("mp_country_code", pick(new String[] {"US", "DE", "BR", "JP", "FR", "IN", "MX"}));
        // mobile SDKs queue events offline: a few arrive days late
        long delay = chance(4) ? 86_400_000L + r.nextInt(4 * 86_400_000) : 1_000 + r.nextInt(300_000);
        num("mp_processing_time_ms", time * 1000 + delay);
        str("push_token", hex(ios ? 64 : 152));
        str("user_agent", "ShopApp/" + version + " (" + device[3] + "; " + device[1] + " " + device[4]
                + "; Scale/3.00) CFNetwork/1494.0.7 Darwin/23.4.0 okhttp/4.12.0");
        nested(deviceId, version);
        eventProperties(index);
    }

    private void nested(String deviceId, String version) {
        key("device").sb.append('{');
        string("id").sb.append(':');
        string(deviceId);
        sb.append(",\"locale\":");
        string(pick(LOCALES));
        sb.append(",\"timezone\":");
        string(pick(ZONES));
        sb.append(",\"battery\":{\"level\":").append(r.nextInt(101) / 100.0).append(",\"charging\":")
                .append(chance(25)).append(",\"low_power_mode\":").append(chance(10)).append('}');
        sb.append(",\"storage\":{\"free_mb\":").append(r.nextInt(200_000)).append(",\"total_mb\":")
                .append(pick(new Integer[] {65_536, 131_072, 262_144})).append('}');
        sb.append(",\"memory\":{\"app_mb\":").append(80 + r.nextInt(400)).append(",\"available_mb\":")
                .append(200 + r.nextInt(3000)).append(",\"low_memory\":").append(chance(5)).append('}');
        sb.append(",\"jailbroken\":").append(chance(1)).append(",\"dark_mode\":").append(chance(40)).append('}');
        key("app").sb.append("{\"version\":");
        string(version);
        sb.append(",\"flavor\":\"prod\",\"install_source\":");
        string(pick(new String[] {"app_store", "google_play", "testflight", "sideload"}));
        sb.append(",\"first_open\":\"2025-0").append(1 + r.nextInt(9)).append("-1").append(r.nextInt(10))
                .append("T0").append(r.nextInt(10)).append(":1").append(r.nextInt(10)).append(":00Z\",\"features\":{")
                .append("\"new_nav\":").append(chance(50)).append(",\"one_tap_checkout\":").append(chance(30))
                .append(",\"recommendations_model\":\"rec-v").append(3 + r.nextInt(3)).append("\"}}");
        key("session").sb.append("{\"id\":");
        string(uuid());
        sb.append(",\"index\":").append(1 + r.nextInt(400)).append(",\"duration_ms\":").append(r.nextInt(1_800_000))
                .append(",\"screens\":[");
        int screens = 1 + r.nextInt(4);
        for (int i = 0; i < screens; i++) {
            sb.append(i == 0 ? "{\"name\":" : ",{\"name\":");
            string(pick(SCREENS));
            sb.append(",\"ms\":").append(r.nextInt(90_000)).append('}');
        }
        sb.append("]}");
        key("experiments").sb.append('[');
        int experiments = r.nextInt(4);
        for (int i = 0; i < experiments; i++) {
            sb.append(i == 0 ? "{\"id\":\"exp_" : ",{\"id\":\"exp_").append(100 + r.nextInt(40)).append("\",\"variant\":");
            string(pick(new String[] {"control", "treatment_a", "treatment_b"}));
            sb.append(",\"assigned_at\":").append(1_760_000_000 + r.nextInt(10_000_000)).append('}');
        }
        sb.append(']');
    }

    private void eventProperties(long index) {
        switch (event) {
            case "Product Viewed", "Add To Cart", "Checkout Completed" -> {
                key("items").sb.append('[');
                int items = event.equals("Checkout Completed") ? 2 + r.nextInt(4) : 1;
                for (int i = 0; i < items; i++) {
                    sb.append(i == 0 ? "{\"sku\":\"" : ",{\"sku\":\"").append(100_000 + r.nextInt(90_000))
                            .append("\",\"name\":");
                    string(pick(PRODUCTS));
                    sb.append(",\"price\":").append(r.nextInt(30_000) / 100.0).append(",\"quantity\":")
                            .append(1 + r.nextInt(3));
                    stringList("categories", CATEGORIES, 1 + r.nextInt(3));
                    sb.append('}');
                }
                sb.append(']');
                str("currency", pick(new String[] {"USD", "EUR", "BRL", "JPY"}));
            }
            case "App Crashed" -> {
                str("error_class", "java.lang.IllegalStateException");
                str("stack_trace", TRACE);
            }
            case "Push Opened" -> {
                str("campaign", "push_" + token(10));
                str("message", pick(new String[] {"Your order is on its way 🚚", "Nur heute: 20 % Rabatt",
                    "お気に入りの商品が値下がりしました", "Seu carrinho está esperando por você"}));
            }
            default -> {
                str("screen_name", pick(SCREENS));
                str("previous_screen", pick(SCREENS));
                num("load_time_ms", 40 + r.nextInt(3000));
                str("search_query", index % 7 == 0 ? "tênis de corrida masculino" : "");
            }
        }
    }
}
