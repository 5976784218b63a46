package io.mixpanelpipelines.convert.parquet;

import java.util.Arrays;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.Type;

/** The smallest and largest byte strings seen, compared as unsigned bytes (Parquet's order for text). */
final class MinMax {
    private byte[] min = new byte[64];
    private int minLength;
    private byte[] max = new byte[64];
    private int maxLength;
    private boolean hasValue;

    void clear() {
        hasValue = false;
    }

    void update(byte[] b, int off, int len) {
        if (!hasValue) {
            min = copy(min, b, off, len);
            minLength = len;
            max = copy(max, b, off, len);
            maxLength = len;
            hasValue = true;
        } else if (Arrays.compareUnsigned(b, off, off + len, min, 0, minLength) < 0) {
            min = copy(min, b, off, len);
            minLength = len;
        } else if (Arrays.compareUnsigned(b, off, off + len, max, 0, maxLength) > 0) {
            max = copy(max, b, off, len);
            maxLength = len;
        }
    }

    Statistics<?> toStatistics(Type type) {
        Statistics<?> s = Statistics.createStats(type);
        if (hasValue) {
            s.updateStats(Binary.fromConstantByteArray(Arrays.copyOf(min, minLength)));
            s.updateStats(Binary.fromConstantByteArray(Arrays.copyOf(max, maxLength)));
        }
        return s;
    }

    private static byte[] copy(byte[] into, byte[] b, int off, int len) {
        byte[] target = into.length >= len ? into : new byte[Math.max(len, 2 * into.length)];
        System.arraycopy(b, off, target, 0, len);
        return target;
    }
}
