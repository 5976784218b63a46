package io.mixpanelpipelines.storage;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A typed storage location, parsed once: {@code file:///abs/path}, {@code s3://bucket/key} or
 * {@code gs://bucket/key}. Keys never start or end with a slash; the root of a bucket has an empty key.
 */
public final class Location {

    /** Storage schemes this build knows about. */
    public enum Scheme { FILE, S3, GS }

    private final Scheme scheme;
    private final String bucket;
    private final String key;

    private Location(Scheme scheme, String bucket, String key) {
        this.scheme = scheme;
        this.bucket = bucket;
        this.key = trimSlashes(key);
    }

    /**
     * Parses a location URI.
     *
     * @throws IllegalArgumentException when the URI has no supported scheme or lacks a bucket or path
     */
    public static Location of(String uri) {
        Objects.requireNonNull(uri, "uri");
        int colon = uri.indexOf("://");
        if (colon < 0) {
            throw new IllegalArgumentException("'" + uri + "' is not a URI: expected file://, s3:// or gs://");
        }
        String scheme = uri.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
        String rest = uri.substring(colon + 3);
        switch (scheme) {
            case "file" -> {
                Path path = Path.of(URI.create("file://" + encodeSpaces(rest)));
                return new Location(Scheme.FILE, "", path.toAbsolutePath().normalize().toString());
            }
            case "s3", "gs" -> {
                int slash = rest.indexOf('/');
                String bucket = slash < 0 ? rest : rest.substring(0, slash);
                if (bucket.isEmpty()) {
                    throw new IllegalArgumentException("'" + uri + "' names no bucket");
                }
                return new Location(scheme.equals("s3") ? Scheme.S3 : Scheme.GS, bucket,
                        slash < 0 ? "" : rest.substring(slash + 1));
            }
            default -> throw new IllegalArgumentException(
                    "'" + uri + "' has an unsupported scheme '" + scheme + "': expected file://, s3:// or gs://");
        }
    }

    /** A local-disk location for a path (made absolute). */
    public static Location of(Path path) {
        return new Location(Scheme.FILE, "", path.toAbsolutePath().normalize().toString());
    }

    public Scheme scheme() {
        return scheme;
    }

    /** The bucket; empty for {@code file} locations. */
    public String bucket() {
        return bucket;
    }

    /** The key (object name or absolute path without its leading slash). */
    public String key() {
        return key;
    }

    /** Appends path segments, separated by slashes. */
    public Location resolve(String... segments) {
        StringBuilder k = new StringBuilder(key);
        for (String segment : segments) {
            String s = trimSlashes(segment);
            if (s.isEmpty()) {
                continue;
            }
            if (k.length() > 0) {
                k.append('/');
            }
            k.append(s);
        }
        return new Location(scheme, bucket, k.toString());
    }

    /** The last path segment. */
    public String fileName() {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }

    /** The local path of a {@code file} location. */
    public Path toPath() {
        if (scheme != Scheme.FILE) {
            throw new IllegalStateException(this + " is not on local disk");
        }
        return Path.of("/" + key);
    }

    @Override
    public String toString() {
        return switch (scheme) {
            case FILE -> "file:///" + key;
            case S3 -> "s3://" + bucket + (key.isEmpty() ? "" : "/" + key);
            case GS -> "gs://" + bucket + (key.isEmpty() ? "" : "/" + key);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Location l && l.scheme == scheme && l.bucket.equals(bucket) && l.key.equals(key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, bucket, key);
    }

    private static String trimSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }

    private static String encodeSpaces(String s) {
        return s.replace(" ", "%20");
    }
}
