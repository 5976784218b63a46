package io.mixpanelpipelines.simulator;

/**
 * Appends JSON tokens to a {@link StringBuilder}. The generator writes millions of events, so this avoids
 * any object model. Stateless; thread-safe.
 */
final class Json {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /**
     * Appends {@code value} as a JSON string. Non-ASCII characters are written as they are (UTF-8 on the
     * wire); {@code /} is written as {@code \/} the way PHP-style encoders do, so clients meet that escape.
     */
    static StringBuilder string(StringBuilder sb, String value) {
        return quoted(sb, value, false, true);
    }

    /** Appends {@code value} as a JSON string, leaving {@code /} as it is (for the simulator's own bodies). */
    static StringBuilder plainString(StringBuilder sb, String value) {
        return quoted(sb, value, false, false);
    }

    /** Appends {@code value} as a JSON string with every non-ASCII char as a {@code \}{@code uXXXX} escape. */
    static StringBuilder asciiString(StringBuilder sb, String value) {
        return quoted(sb, value, true, true);
    }

    /** Appends {@code "key":} (the key escaped like a string value). */
    static StringBuilder key(StringBuilder sb, String key) {
        return string(sb, key).append(':');
    }

    private static StringBuilder quoted(StringBuilder sb, String value, boolean asciiOnly, boolean escapeSlash) {
        sb.append('"');
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '/' -> sb.append(escapeSlash ? "\\/" : "/");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || (asciiOnly && c > 0x7e)) {
                        unicodeEscape(sb, c);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    private static void unicodeEscape(StringBuilder sb, char c) {
        sb.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
