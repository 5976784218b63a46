package io.mixpanelpipelines.storage.local;

import io.mixpanelpipelines.storage.CountingOutputStream;
import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.OutputFile;
import io.mixpanelpipelines.storage.PositionOutputStream;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Local-disk storage. A file is written under a hidden temporary name in its target folder and renamed
 * into place when its stream closes, so no reader ever sees a half-written file. Durable: a file's bytes are
 * forced to disk before it is renamed into place, and a folder is forced after a rename into or out of it,
 * so that what a manifest names survives a power loss or a kernel crash, not only a killed process.
 * Thread-safe.
 */
public final class LocalStorage implements Storage {

    /** How the files being written start: renamed to their own name once closed. */
    static final String TEMP_PREFIX = ".tmp-";

    @Override
    public OutputFile newOutputFile(Location location) {
        return new LocalOutputFile(location);
    }

    @Override
    public InputStream open(Location location) throws IOException {
        return Files.newInputStream(location.toPath());
    }

    @Override
    public boolean exists(Location location) {
        return Files.isRegularFile(location.toPath());
    }

    /** Deletes the file, and its folder when that leaves the folder empty (local disk has real folders). */
    @Override
    public void delete(Location location) throws IOException {
        Path path = location.toPath();
        Files.deleteIfExists(path);
        Path parent = path.getParent();
        try {
            Files.deleteIfExists(parent);
        } catch (java.nio.file.DirectoryNotEmptyException expected) {
            // other files remain
        }
    }

    @Override
    public List<FileEntry> list(Location prefix) throws IOException {
        Path root = prefix.toPath();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<FileEntry> entries = new ArrayList<>();
        // a file renamed or deleted while the folder is listed (another writer of the same folder, e.g. the
        // slices of one day staging their parts side by side) is simply not listed, not a failure
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    entries.add(new FileEntry(Location.of(p), attrs.size()));
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return entries;
    }

    @Override
    public void deleteAbandoned(Location prefix) throws IOException {
        Path root = prefix.toPath();
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p) && p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public void deleteEmptyFolders(Location prefix, Location upTo) throws IOException {
        Path stop = upTo.toPath();
        for (Path dir = prefix.toPath(); dir != null && !dir.equals(stop) && dir.startsWith(stop); dir = dir.getParent()) {
            try {
                if (!Files.deleteIfExists(dir) && Files.exists(dir)) {
                    return;
                }
            } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.NotDirectoryException notEmpty) {
                return; // something else lives here (a writer's file, another day): keep it and its parents
            }
        }
    }

    @Override
    public void move(Location source, Location target) throws IOException {
        Path to = target.toPath();
        Files.createDirectories(to.getParent());
        try {
            Files.move(source.toPath(), to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source.toPath(), to, StandardCopyOption.REPLACE_EXISTING);
        }
        forceFolder(to.getParent());
        forceFolder(source.toPath().getParent());
    }

    /**
     * Forces a folder's entries to disk (a rename is durable only then). File systems and platforms that
     * cannot open a folder for this (Windows) are left to their own guarantees.
     */
    static void forceFolder(Path folder) throws IOException {
        if (folder == null || !Files.isDirectory(folder)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            // a folder cannot be opened for syncing here: nothing more can be done
        }
    }

    private static final class LocalOutputFile implements OutputFile {
        private final Location location;

        LocalOutputFile(Location location) {
            this.location = location;
        }

        @Override
        public PositionOutputStream create() throws IOException {
            Path target = location.toPath();
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
            return new RenamingStream(temp, target);
        }

        @Override
        public Location location() {
            return location;
        }
    }

    /** Buffers into a temporary file and renames it over the target on a successful close. */
    private static final class RenamingStream extends PositionOutputStream {
        private final Path temp;
        private final Path target;
        private final FileChannel channel;
        private final CountingOutputStream out;
        private boolean closed;

        RenamingStream(Path temp, Path target) throws IOException {
            this.temp = temp;
            this.target = target;
            this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
            this.out = new CountingOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
        }

        @Override
        public long getPos() {
            return out.count();
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void abort() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.close();
            } catch (IOException ignored) {
                // the file is discarded either way
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover hidden temp file is removed by the next list-and-clean of its folder
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.flush();
                channel.force(true); // the bytes are on disk before the name says the file is complete
                out.close();
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                forceFolder(target.getParent());
            } catch (IOException | RuntimeException e) {
                channel.close(); // when flushing or forcing failed, before out.close() did it
                try {
                    Files.deleteIfExists(temp);
                } catch (NoSuchFileException ignored) {
                    // already gone
                }
                throw e;
            }
        }
    }
}
