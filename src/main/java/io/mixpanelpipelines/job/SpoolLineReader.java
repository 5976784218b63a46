package io.mixpanelpipelines.job;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a decoded export body into {@link LineBatch}es of whole lines with bounded memory: a batch holds
 * about {@code batchBytes}; a longer line grows it up to {@code maxLineBytes}; a line longer than that is
 * skipped without being buffered and reported as {@link LineBatch#OVERSIZED}. Blank lines are passed over
 * (their numbers still count). A trailing carriage return is dropped. Not thread-safe.
 */
final class SpoolLineReader implements AutoCloseable {

    private final InputStream in;
    private final int batchBytes;
    private final int maxLineBytes;
    private final byte[] readBuffer = new byte[1 << 16];
    private int readPos;
    private int readLength;
    private long offset;
    private long nextLine;
    private boolean eof;
    private boolean endSent;

    /**
     * @param in the decoded body, positioned at {@code offset}
     * @param offset offset of the first byte of {@code in} within the body
     * @param firstLine the number of the line that starts there (1 at the start of the body)
     */
    SpoolLineReader(InputStream in, long offset, long firstLine, int batchBytes, int maxLineBytes) {
        this.in = in;
        this.offset = offset;
        this.nextLine = firstLine;
        this.batchBytes = batchBytes;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next batch; the end marker once every line has been read; then null. */
    LineBatch next() throws IOException {
        if (endSent) {
            return null;
        }
        LineBatch batch = LineBatch.withCapacity(batchBytes + (1 << 12));
        while (batch.used() < batchBytes && readLine(batch)) {
            // keep filling
        }
        if (batch.size() == 0) {
            endSent = true;
            return LineBatch.end();
        }
        return batch;
    }

    /** Reads one line into the batch; false at the end of the body. */
    private boolean readLine(LineBatch batch) throws IOException {
        int mark = batch.used();
        long length = 0;
        boolean oversized = false;
        boolean any = false;
        while (true) {
            if (readPos == readLength && !fill()) {
                if (!any) {
                    return false;
                }
                finish(batch, mark, length, oversized); // a last line without a newline
                return true;
            }
            any = true;
            int newline = -1;
            for (int i = readPos; i < readLength; i++) {
                if (readBuffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int chunkEnd = newline < 0 ? readLength : newline;
            int chunk = chunkEnd - readPos;
            length += chunk;
            offset += chunk;
            if (!oversized && length > maxLineBytes) {
                oversized = true;
                batch.truncate(mark);
            }
            if (!oversized) {
                batch.append(readBuffer, readPos, chunk);
            }
            readPos = chunkEnd;
            if (newline >= 0) {
                readPos++;
                offset++;
                finish(batch, mark, length, oversized);
                return true;
            }
        }
    }

    private void finish(LineBatch batch, int mark, long length, boolean oversized) {
        long lineNumber = nextLine++;
        if (oversized) {
            batch.add(mark, LineBatch.OVERSIZED, lineNumber, offset);
            return;
        }
        int end = batch.used();
        byte[] b = batch.buffer();
        if (end > mark && b[end - 1] == '\r') {
            end--;
        }
        boolean blank = true;
        for (int i = mark; i < end && blank; i++) {
            blank = b[i] == ' ' || b[i] == '\t';
        }
        if (blank) {
            batch.truncate(mark);
        } else {
            batch.add(mark, end - mark, lineNumber, offset);
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = in.read(readBuffer);
        while (n == 0) {
            n = in.read(readBuffer);
        }
        if (n < 0) {
            eof = true;
            return false;
        }
        readPos = 0;
        readLength = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
