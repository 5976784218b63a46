package io.mixpanelpipelines.config;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.util.unit.DataSize;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.JacksonYAMLParseException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A job file's YAML, checked against the shape of {@link JobFile} and flattened into the dotted keys the
 * {@code Binder} reads ({@code export.partSize}, {@code export.events[0]}). The shape is checked here, on
 * the tree, because the Binder is lenient where a job file must not be: it binds {@code partsize} and
 * {@code part-size} to {@code partSize} (a key must be spelled exactly, or it is unknown), reads a single
 * value as a one-element list and {@code yes} as true. Every problem goes to the {@link JobFileErrors}.
 */
final class JobFileTree {

    // a key given twice would silently lose its first value, like a misspelt key falling back to a default
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final JsonNode root;
    private final Map<String, Object> flat = new LinkedHashMap<>();
    private final Map<String, String> written = new HashMap<>();
    private final Map<ConfigurationPropertyName, String> keys = new HashMap<>();

    private JobFileTree(JsonNode root) {
        this.root = root;
    }

    /**
     * @throws InvalidJobException when the text is not YAML at all, with the line and column of the fault
     */
    static JobFileTree parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new InvalidJobException("  - not valid YAML: " + syntaxError(e));
        }
        return new JobFileTree(root);
    }

    /** Checks the tree against {@link JobFile} and flattens it; false when it is not a mapping at all. */
    boolean check(JobFileErrors errors) {
        if (root == null || !root.isObject()) {
            errors.add("", "the job file must be a YAML mapping");
            return false;
        }
        walk(root, JobFile.class, "", errors);
        return true;
    }

    /** The dotted keys and their values, as written (text), for the Binder. */
    Map<String, Object> properties() {
        return flat;
    }

    /** The key as written for a name the Binder reports ({@code export.part-size}: {@code export.partSize}). */
    String keyOf(ConfigurationPropertyName name) {
        return keys.getOrDefault(name, name.toString());
    }

    /** The text written at {@code key} (for messages: as the user wrote it), or null. */
    String text(String key) {
        return written.get(key);
    }

    /** Whether {@code key} (dotted) is written in the file with a value other than null. */
    boolean has(String key) {
        JsonNode n = node(key);
        return n != null && !n.isNull();
    }

    /** Whether {@code key} (dotted) is written in the file with no value ({@code people:} with only comments under it). */
    boolean isEmpty(String key) {
        JsonNode n = node(key);
        return n != null && n.isNull();
    }

    /** Whether {@code key} (dotted) is written in the file as a mapping. */
    boolean isMapping(String key) {
        JsonNode n = node(key);
        return n != null && n.isObject();
    }

    private JsonNode node(String key) {
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            n = n == null || !n.isObject() ? null : n.get(part);
        }
        return n;
    }

    private void walk(JsonNode mapping, Class<?> type, String path, JobFileErrors errors) {
        RecordComponent[] components = type.getRecordComponents();
        for (Map.Entry<String, JsonNode> e : mapping.properties()) {
            String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            RecordComponent c = component(components, e.getKey());
            if (c == null) {
                List<String> allowed = new ArrayList<>();
                for (RecordComponent rc : components) {
                    allowed.add(rc.getName());
                }
                errors.add(key, "unknown key (allowed here: " + String.join(", ", allowed) + ")");
            } else if (!e.getValue().isNull()) {
                value(e.getValue(), c.getType(), key, errors);
            }
        }
    }

    private void value(JsonNode v, Class<?> type, String key, JobFileErrors errors) {
        if (type.isRecord()) {
            if (v.isObject()) {
                walk(v, type, key, errors);
            } else {
                errors.add(key, "must be a mapping");
            }
        } else if (type == List.class) {
            // the lists of a job file are lists of names: export.events, people.outputProperties, people.groups
            String what = key.equals("export.events") ? "event names" : key.equals("people.groups") ? "data_group_id values"
                    : "property names";
            if (!v.isArray()) {
                errors.add(key, "must be a list of " + what);
                return;
            }
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isString() || v.get(i).asString().isEmpty()) {
                    errors.add(key, "must contain only non-empty " + what);
                    return;
                }
            }
            for (int i = 0; i < v.size(); i++) {
                put(key + "[" + i + "]", v.get(i).asString());
            }
        } else if (type == boolean.class || type == Boolean.class) {
            if (v.isBoolean()) {
                put(key, v.asString());
            } else {
                errors.add(key, (v.isValueNode() ? "'" + v.asString() + "' " : "") + "must be true or false");
            }
        } else if (!v.isValueNode()) {
            errors.add(key, type == long.class ? "must be a whole number" : "must be a single value");
        } else if (v.isBoolean()) {
            errors.add(key, "must be a single value");
        } else {
            String text = v.asString().strip();
            if (text.isEmpty()) {
                errors.add(key, "must not be empty");
            } else if (type == Duration.class && text.matches("[+-]?\\d+")) {
                // the Binder would read a bare number as milliseconds: fullEvery: 7 is meant as days, not 7ms
                errors.add(key, "'" + text + "' has no unit: write it with one, such as " + text + "d, " + text + "h, "
                        + text + "m or " + text + "s");
            } else {
                // sizes are read as written, whatever their case or spacing: 512kb, 1 GB
                put(key, type == DataSize.class ? text.toUpperCase(Locale.ROOT).replace(" ", "") : text);
                written.put(key, text);
            }
        }
    }

    private void put(String key, String text) {
        flat.put(key, text);
        keys.put(ConfigurationPropertyName.adapt(key, '.'), key.replaceAll("\\[\\d+]$", ""));
    }

    private static RecordComponent component(RecordComponent[] components, String name) {
        for (RecordComponent c : components) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The parser's own words, without its source excerpt, and where: {@code ... (line 2, column 9)}. */
    private static String syntaxError(JacksonException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (!(e instanceof JacksonYAMLParseException)) {
            return message.lines().findFirst().orElse("");
        }
        List<String> words = new ArrayList<>();
        for (String line : message.split("\n")) {
            // the excerpt lines are indented; " in reader, line ..." repeats the location
            if (!line.isBlank() && !line.startsWith(" ")) {
                words.add(line.strip());
            }
        }
        String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
        return String.join(": ", words) + where;
    }
}
