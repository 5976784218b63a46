package io.mixpanelpipelines.storage.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobInfo;
import io.mixpanelpipelines.storage.CountingOutputStream;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.OutputFile;
import io.mixpanelpipelines.storage.PositionOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;

/**
 * A GCS object to write through a resumable upload: the client sends it in chunks of
 * {@code chunkSizeBytes} (the memory a file takes) and the object appears only when the upload is
 * finalized on {@link PositionOutputStream#close()}. {@link PositionOutputStream#abort()} never finalizes
 * it: the unfinished session holds no visible object and expires on its own (GCS drops it after a week).
 */
public final class GcsOutputFile implements OutputFile {

    private final GcsStorage storage;
    private final Location location;

    GcsOutputFile(GcsStorage storage, Location location) {
        this.storage = storage;
        this.location = location;
    }

    @Override
    public PositionOutputStream create() throws IOException {
        List<com.google.cloud.storage.Storage.BlobWriteOption> options = new ArrayList<>();
        if (storage.settings().kmsKeyName() != null) {
            options.add(com.google.cloud.storage.Storage.BlobWriteOption.kmsKeyName(storage.settings().kmsKeyName()));
        }
        try {
            WriteChannel channel = storage.client().writer(BlobInfo.newBuilder(GcsStorage.blobId(location))
                    .setContentType("application/octet-stream").build(),
                    options.toArray(com.google.cloud.storage.Storage.BlobWriteOption[]::new));
            channel.setChunkSize(storage.settings().chunkSizeBytes());
            return new Stream(channel);
        } catch (BaseServiceException e) {
            throw GcsStorage.failure("write", location, e);
        }
    }

    @Override
    public Location location() {
        return location;
    }

    private final class Stream extends PositionOutputStream {
        private final WriteChannel channel;
        private final CountingOutputStream out;
        private final byte[] one = new byte[1];
        private boolean closed;

        Stream(WriteChannel channel) {
            this.channel = channel;
            this.out = new CountingOutputStream(Channels.newOutputStream(channel));
        }

        @Override
        public long getPos() {
            return out.count();
        }

        @Override
        public void write(int b) throws IOException {
            one[0] = (byte) b;
            write(one, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException(location + ": stream is closed");
            }
            try {
                out.write(b, off, len);
            } catch (BaseServiceException e) {
                abort();
                throw GcsStorage.failure("write", location, e);
            } catch (IOException e) {
                abort();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } catch (BaseServiceException e) {
                throw GcsStorage.failure("write", location, e);
            }
        }

        /** Leaves the resumable session unfinalized: no object appears. */
        @Override
        public void abort() {
            closed = true;
        }
    }
}
