package io.mixpanelpipelines.convert.parquet;

import io.mixpanelpipelines.storage.OutputFile;
import io.mixpanelpipelines.storage.PositionOutputStream;
import java.io.IOException;

/**
 * The one place where our storage meets parquet-java's I/O types: turns our {@link OutputFile} into
 * parquet's {@link org.apache.parquet.io.OutputFile}. The stream it opens is kept so that the writer can
 * {@link #abort()} it, which parquet-java itself has no notion of.
 */
final class ParquetIO implements org.apache.parquet.io.OutputFile {

    private final OutputFile file;
    private PositionOutputStream stream;

    ParquetIO(OutputFile file) {
        this.file = file;
    }

    @Override
    public org.apache.parquet.io.PositionOutputStream create(long blockSizeHint) throws IOException {
        if (stream != null) {
            throw new IllegalStateException(file.location() + " was already opened");
        }
        stream = file.create();
        return new Adapter(stream);
    }

    /** Our files always replace what is at their location when they are closed. */
    @Override
    public org.apache.parquet.io.PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return file.location().toString();
    }

    /** Bytes written to the file so far: its size once the writer has closed it. */
    long position() throws IOException {
        return stream == null ? 0 : stream.getPos();
    }

    /** Discards the file if it was opened; nothing appears at its location. */
    void abort() {
        if (stream != null) {
            stream.abort();
        }
    }

    private static final class Adapter extends org.apache.parquet.io.PositionOutputStream {
        private final PositionOutputStream out;

        Adapter(PositionOutputStream out) {
            this.out = out;
        }

        @Override
        public long getPos() throws IOException {
            return out.getPos();
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
        public void close() throws IOException {
            out.close();
        }
    }
}
