package io.mixpanelpipelines.convert.parquet;

import java.io.IOException;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;

/** A BYTE_ARRAY column, PLAIN encoded (length-prefixed values). */
class BytesColumnEncoder extends ColumnEncoder {
    private final MinMax minMax = new MinMax();

    BytesColumnEncoder(ColumnDescriptor column, int pageSize, boolean statisticsEnabled, ColumnEncoder.PageQueue pages) {
        super(column, pageSize, statisticsEnabled, pages);
    }

    void add(byte[] b, int off, int len) throws IOException {
        if (rows > 0 && !page.fits(4 + len) && page.size - valuesStart >= pageSize / 2) {
            writePage(); // a page at least half full ends rather than grow its array (PageBuffer#regionFriendly)
        }
        page.putLengthPrefixed(b, off, len);
        unencodedBytes += len;
        if (statisticsEnabled) {
            minMax.update(b, off, len);
        }
        valueAdded();
    }

    @Override
    Statistics<?> pageStatistics() {
        return minMax.toStatistics(type);
    }

    /** Page statistics, for a subclass that sees each distinct value of a page once. */
    final MinMax minMax() {
        return minMax;
    }

    @Override
    void pageStarted() {
        minMax.clear();
    }
}
