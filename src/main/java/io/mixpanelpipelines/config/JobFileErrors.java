package io.mixpanelpipelines.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.util.unit.DataSize;

/**
 * The problems of one job file, collected so that all of them are reported at once, each as
 * {@code <key path>: <what is wrong>}. As a {@link BindHandler} it turns every value the {@code Binder}
 * cannot convert into such a line and lets binding go on with the key's default, instead of stopping at
 * the first bad value.
 */
final class JobFileErrors implements BindHandler {

    private final List<String> messages = new ArrayList<>();
    private final JobFileTree tree;

    JobFileErrors(JobFileTree tree) {
        this.tree = tree;
    }

    /** @param path the key as written ({@code export.partSize}); empty for the file as a whole */
    void add(String path, String message) {
        messages.add("  - " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    InvalidJobException toException() {
        return new InvalidJobException(String.join("\n", messages));
    }

    @Override
    public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context, Exception error) {
        String key = tree.keyOf(name);
        String value = tree.text(key);
        Class<?> type = target.getType().resolve(Object.class);
        add(key, "'" + value + "' " + expected(type));
        return null; // the Binder then uses the key's @DefaultValue
    }

    private static String expected(Class<?> type) {
        if (type.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object e : type.getEnumConstants()) {
                names.add(((Enum<?>) e).name().toLowerCase(Locale.ROOT));
            }
            return "is not one of " + String.join(", ", names);
        }
        if (type == Duration.class) {
            return "is not a duration such as 500ms, 30s or 10m";
        }
        if (type == DataSize.class) {
            return "is not a size such as 512KB, 128MB or 1GB";
        }
        if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
            return "is not a whole number";
        }
        return "is not a valid " + type.getSimpleName();
    }
}
