package io.mixpanelpipelines.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The minimal file system the writer and the publish step talk to. Take care when adding to it: every
 * backend (local disk, S3, GCS) has to implement each method with the same behaviour.
 */
public interface Storage {

    /** A file to write at {@code location}; nothing is created until its stream is closed. */
    OutputFile newOutputFile(Location location);

    /** Opens a file for reading. @throws java.nio.file.NoSuchFileException when it does not exist */
    InputStream open(Location location) throws IOException;

    /** Whether a file exists at {@code location}. */
    boolean exists(Location location) throws IOException;

    /** Deletes a file; deleting a missing file is not an error. A backend with real folders may remove one it leaves empty. */
    void delete(Location location) throws IOException;

    /** Every file below {@code prefix} (recursively), in no particular order; empty when there is none. */
    List<FileEntry> list(Location prefix) throws IOException;

    /**
     * Moves a file within this storage, replacing any file at the target. Local disk does this with an
     * atomic rename; object stores copy, then delete the source.
     */
    void move(Location source, Location target) throws IOException;

    /**
     * Deletes the temporary files that writers killed mid-write left below {@code prefix}, which no reader
     * sees ({@link #list} leaves them out). Only for a prefix no writer is writing to. Object stores have
     * none: an upload never completed is no object.
     */
    default void deleteAbandoned(Location prefix) throws IOException {
    }

    /**
     * Removes the folder {@code prefix} when nothing is left in it (a day's staging folder once its parts were
     * published), and its parent folders up to {@code upTo} (exclusive) that this leaves empty. Object stores
     * have no folders: nothing to do.
     */
    default void deleteEmptyFolders(Location prefix, Location upTo) throws IOException {
    }
}
