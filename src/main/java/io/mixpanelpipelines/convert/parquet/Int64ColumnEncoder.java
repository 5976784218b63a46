package io.mixpanelpipelines.convert.parquet;

import java.io.IOException;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;

/** An INT64 column, PLAIN encoded. */
final class Int64ColumnEncoder extends ColumnEncoder {
    private long min;
    private long max;
    private boolean hasValue;

    Int64ColumnEncoder(ColumnDescriptor column, int pageSize, ColumnEncoder.PageQueue pages) {
        super(column, pageSize, true, pages);
    }

    void add(long v) throws IOException {
        page.putLong(v);
        if (!hasValue) {
            min = v;
            max = v;
            hasValue = true;
        } else if (v < min) {
            min = v;
        } else if (v > max) {
            max = v;
        }
        valueAdded();
    }

    @Override
    Statistics<?> pageStatistics() {
        Statistics<?> s = Statistics.createStats(type);
        if (hasValue) {
            s.updateStats(min);
            s.updateStats(max);
        }
        return s;
    }

    @Override
    void pageStarted() {
        hasValue = false;
    }
}
