package io.mixpanelpipelines.storage;

/** A file found by {@link Storage#list}. */
public record FileEntry(Location location, long size) {
}
