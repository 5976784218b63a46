package io.mixpanelpipelines.image;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@code .dockerignore} file, as Docker's build context applies them (moby's patternmatcher):
 * lines are trimmed, blank lines and {@code #} comments skipped; a leading {@code !} lets a path in again;
 * patterns are cleaned like Go's {@code filepath.Clean} (no leading or trailing {@code /}). {@code *} is any
 * run of characters but {@code /}, {@code ?} one of them, {@code [...]} a class, {@code **} any number of
 * folders (none included). A path is excluded when the last pattern that matches it, or one of its parent
 * folders, is not a {@code !} pattern.
 */
final class DockerIgnore {

    private record Rule(Pattern pattern, boolean exception) {
    }

    private final List<Rule> rules = new ArrayList<>();

    DockerIgnore(String file) {
        for (String raw : file.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exception = line.startsWith("!");
            String p = clean(exception ? line.substring(1).strip() : line);
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            rules.add(new Rule(Pattern.compile(regex(p)), exception));
        }
    }

    /** Whether {@code path} (relative to the context, {@code /}-separated) stays out of the build context. */
    boolean excludes(String path) {
        String file = clean(path);
        String[] dirs = file.split("/");
        boolean excluded = false;
        for (Rule r : rules) {
            // as patternmatcher: an exclusion only matters for a path not yet excluded, an exception for one that is
            if (r.exception() != excluded) {
                continue;
            }
            boolean match = r.pattern().matcher(file).matches();
            for (int i = 1; !match && i < dirs.length; i++) {
                match = r.pattern().matcher(String.join("/", java.util.Arrays.copyOf(dirs, i))).matches();
            }
            if (match) {
                excluded = !r.exception();
            }
        }
        return excluded;
    }

    /** Go's filepath.Clean for relative paths, then without a leading {@code /} (Docker drops it). */
    static String clean(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("/+")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") && !out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                out.remove(out.size() - 1);
            } else {
                out.add(part);
            }
        }
        return out.isEmpty() ? "." : String.join("/", out);
    }

    private static String regex(String p) {
        StringBuilder r = new StringBuilder("^");
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*') {
                if (i + 1 < p.length() && p.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < p.length() && p.charAt(i + 1) == '/') {
                        i++;
                    }
                    // "**" at the end takes everything; elsewhere any number of folders, none included
                    r.append(i + 1 == p.length() ? ".*" : "(.*/)?");
                } else {
                    r.append("[^/]*");
                }
            } else if (c == '?') {
                r.append("[^/]");
            } else if (c == '\\' && i + 1 < p.length()) {
                r.append(Pattern.quote(String.valueOf(p.charAt(++i))));
            } else if (c == '[') {
                int end = p.indexOf(']', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed [ in .dockerignore pattern " + p);
                }
                String cls = p.substring(i + 1, end);
                r.append('[').append(cls.startsWith("^") ? "^" + cls.substring(1).replace("[", "\\[") : cls.replace("[", "\\[")).append(']');
                i = end;
            } else {
                r.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return r.append('$').toString();
    }
}
