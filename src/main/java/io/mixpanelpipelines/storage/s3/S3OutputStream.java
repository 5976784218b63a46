package io.mixpanelpipelines.storage.s3;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Streams an object into S3 without a local copy. Bytes fill a part buffer of {@code partSizeBytes};
 * each full buffer is uploaded as a multipart-upload part on a background thread while the next one
 * fills. Buffers come from a pool of {@code maxPartsInFlight + 1}, so a writer that outpaces the network
 * blocks, and a file never holds more than that many parts in memory. {@link #close()} uploads the last
 * part and completes the upload (an object smaller than one part is a single PutObject); {@link #abort()}
 * or any failure aborts the multipart upload so that no incomplete upload is left to be billed.
 *
 * <p>Not thread-safe (one writer), like any OutputStream.
 */
final class S3OutputStream extends PositionOutputStream {

    private final S3Client s3;
    private final ExecutorService executor;
    private final S3Settings settings;
    private final Location location;
    private final int partSize;
    private final BlockingQueue<byte[]> free;
    private int allocated;
    private byte[] buffer;
    private int used;
    private long pos;
    private String uploadId;
    private final List<Future<CompletedPart>> parts = new ArrayList<>();
    private boolean closed;

    S3OutputStream(S3Client s3, ExecutorService executor, S3Settings settings, Location location) {
        this.s3 = s3;
        this.executor = executor;
        this.settings = settings;
        this.location = location;
        this.partSize = (int) Math.min(settings.partSizeBytes(), Integer.MAX_VALUE - 64);
        this.free = new ArrayBlockingQueue<>(settings.maxPartsInFlight() + 1);
    }

    @Override
    public long getPos() {
        return pos;
    }

    @Override
    public void write(int b) throws IOException {
        ensureBuffer();
        buffer[used++] = (byte) b;
        pos++;
        if (used == partSize) {
            uploadPart();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            ensureBuffer();
            int n = Math.min(len, partSize - used);
            System.arraycopy(b, off, buffer, used, n);
            used += n;
            pos += n;
            off += n;
            len -= n;
            if (used == partSize) {
                uploadPart();
            }
        }
    }

    private void ensureBuffer() throws IOException {
        if (closed) {
            throw new IOException(location + ": stream is closed");
        }
        if (buffer != null) {
            return;
        }
        byte[] b = free.poll();
        if (b == null && allocated < settings.maxPartsInFlight() + 1) {
            allocated++;
            b = new byte[partSize];
        }
        if (b == null) {
            try {
                b = free.take(); // every buffer is in flight: wait for one upload to finish
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
                throw new InterruptedIOException(location + ": interrupted while uploading");
            }
        }
        buffer = b;
        used = 0;
    }

    /** Hands the full buffer to a background upload; a failed earlier part fails this write. */
    private void uploadPart() throws IOException {
        failIfAnyPartFailed();
        try {
            if (uploadId == null) {
                CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                        .bucket(location.bucket()).key(location.key());
                if (settings.sse() != null) {
                    create.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse())).ssekmsKeyId(settings.kmsKeyId());
                }
                if (settings.storageClass() != null) {
                    create.storageClass(settings.storageClass());
                }
                uploadId = s3.createMultipartUpload(create.build()).uploadId();
            }
        } catch (SdkException e) {
            closed = true;
            throw S3Storage.failure("start an upload of", location, e);
        }
        byte[] data = buffer;
        int length = used;
        int number = parts.size() + 1;
        buffer = null;
        used = 0;
        String id = uploadId;
        parts.add(executor.submit(() -> {
            try {
                // a content provider, not fromBytes: no copy, and the SDK re-reads it on each retry
                String etag = s3.uploadPart(r -> r.bucket(location.bucket()).key(location.key()).uploadId(id)
                                .partNumber(number).contentLength((long) length),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                                "application/octet-stream")).eTag();
                return CompletedPart.builder().partNumber(number).eTag(etag).build();
            } finally {
                free.offer(data);
            }
        }));
    }

    private void failIfAnyPartFailed() throws IOException {
        for (Future<CompletedPart> f : parts) {
            if (f.isDone()) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    abort();
                    throw partFailure(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    abort();
                    throw new InterruptedIOException(location + ": interrupted while uploading");
                }
            }
        }
    }

    private IOException partFailure(Throwable cause) {
        return cause instanceof SdkException se ? S3Storage.failure("upload a part of", location, se)
                : new IOException("cannot upload a part of " + location + " (bucket '" + location.bucket() + "')", cause);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (uploadId == null) {
                putWhole();
                closed = true;
                return;
            }
            if (used > 0) {
                uploadPart();
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : parts) {
                done.add(f.get());
            }
            done.sort(Comparator.comparing(CompletedPart::partNumber));
            s3.completeMultipartUpload(r -> r.bucket(location.bucket()).key(location.key()).uploadId(uploadId)
                    .multipartUpload(u -> u.parts(done)));
            uploadId = null;
            closed = true;
        } catch (ExecutionException e) {
            abort();
            throw partFailure(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new InterruptedIOException(location + ": interrupted while uploading");
        } catch (SdkException e) {
            abort();
            throw S3Storage.failure("write", location, e);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        } finally {
            buffer = null;
        }
    }

    private void putWhole() {
        byte[] data = buffer == null ? new byte[0] : buffer;
        int length = used;
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(location.bucket()).key(location.key())
                .contentLength((long) length);
        if (settings.sse() != null) {
            put.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse())).ssekmsKeyId(settings.kmsKeyId());
        }
        if (settings.storageClass() != null) {
            put.storageClass(settings.storageClass());
        }
        s3.putObject(put.build(), RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                "application/octet-stream"));
    }

    /**
     * Stops the upload: waits for the parts in flight to end (S3 may otherwise keep a part that lands after
     * the abort), then aborts the multipart upload. Nothing appears at the location.
     */
    @Override
    public void abort() {
        if (closed && uploadId == null) {
            return;
        }
        closed = true;
        buffer = null;
        for (Future<CompletedPart> f : parts) {
            try {
                f.get();
            } catch (ExecutionException ignored) {
                // the upload is being discarded anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        parts.clear();
        if (uploadId != null) {
            String id = uploadId;
            uploadId = null;
            try {
                s3.abortMultipartUpload(r -> r.bucket(location.bucket()).key(location.key()).uploadId(id));
            } catch (SdkException ignored) {
                // best effort: a bucket lifecycle rule (AbortIncompleteMultipartUpload) is the safety net
            }
        }
    }
}
