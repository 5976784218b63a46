package io.mixpanelpipelines.convert.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;

/**
 * {@link ColumnEncoder} on its own: each page it hands over is recorded (bytes, rows, statistics,
 * encodings), with the dictionary pages its page writer receives, so page boundaries, page statistics,
 * null counts and the dictionary fallback are checked page by page, not through a whole file.
 */
class ColumnEncoderTests {

    /** One page as handed to the queue. */
    record Page(byte[] bytes, int rows, Statistics<?> statistics, Encoding definitionLevels, Encoding values) {
    }

    final List<Page> pages = new ArrayList<>();
    final List<DictionaryPage> dictionaries = new ArrayList<>();

    final ColumnEncoder.PageQueue queue = (column, writer, bytes, start, end, rows, statistics, sizes, levels, values) -> {
        pages.add(new Page(Arrays.copyOfRange(bytes, start, end), rows, statistics, levels, values));
        return bytes;
    };

    final PageWriter writer = (PageWriter) Proxy.newProxyInstance(PageWriter.class.getClassLoader(),
            new Class<?>[] {PageWriter.class}, (proxy, method, args) -> {
                if (method.getName().equals("writeDictionaryPage")) {
                    DictionaryPage d = (DictionaryPage) args[0];
                    dictionaries.add(d.copy());
                    return null;
                }
                if (method.getReturnType() == long.class) {
                    return 0L;
                }
                throw new UnsupportedOperationException(method.getName());
            });

    static ColumnDescriptor column(String name) {
        return EventSchema.SCHEMA.getColumnDescription(new String[] {name});
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void add(BytesColumnEncoder c, String v) throws Exception {
        if (v == null) {
            c.addNull();
        } else {
            byte[] b = utf8("xx" + v); // a slice of a larger buffer, as lines are
            c.add(b, 2, b.length - 2);
        }
    }

    /** The values of a PLAIN page of an optional BYTE_ARRAY column (definition levels skipped). */
    static List<String> plainValues(Page page) {
        ByteBuffer b = ByteBuffer.wrap(page.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        b.position(4 + b.getInt(0));
        List<String> out = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] v = new byte[b.getInt()];
            b.get(v);
            out.add(new String(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    static String min(Page p) {
        return ((Binary) p.statistics().genericGetMin()).toStringUsingUTF8();
    }

    static String max(Page p) {
        return ((Binary) p.statistics().genericGetMax()).toStringUsingUTF8();
    }

    @Test
    void int64PagesEndAtTheRowLimitWithTheirOwnMinMaxAndNullCount() throws Exception {
        Int64ColumnEncoder c = new Int64ColumnEncoder(column(EventSchema.MP_PROCESSING_TIME), 1 << 20, queue);
        c.startChunk(writer);
        int n = ColumnEncoder.PAGE_ROW_LIMIT + 5;
        for (int i = 0; i < n; i++) {
            if (i % 10 == 3) {
                c.addNull();
            } else {
                c.add(i == 7 ? -5_000_000L : i * 1_000L);
            }
        }
        c.endChunk();

        assertThat(pages).hasSize(2);
        Page first = pages.get(0);
        assertThat(first.rows()).isEqualTo(ColumnEncoder.PAGE_ROW_LIMIT);
        assertThat(first.statistics().getNumNulls()).isEqualTo(ColumnEncoder.PAGE_ROW_LIMIT / 10);
        assertThat(first.statistics().genericGetMin()).isEqualTo(-5_000_000L);
        assertThat(first.statistics().genericGetMax()).isEqualTo((ColumnEncoder.PAGE_ROW_LIMIT - 1) * 1_000L);
        assertThat(first.values()).isEqualTo(Encoding.PLAIN);
        assertThat(first.definitionLevels()).isEqualTo(Encoding.RLE);
        Page second = pages.get(1);
        assertThat(second.rows()).isEqualTo(5);
        assertThat(second.statistics().getNumNulls()).isEqualTo(1); // row 20003
        assertThat(second.statistics().genericGetMin()).as("the second page's own minimum")
                .isEqualTo(ColumnEncoder.PAGE_ROW_LIMIT * 1_000L);
        assertThat(second.statistics().genericGetMax()).isEqualTo((n - 1) * 1_000L);
    }

    @Test
    void bytesStatisticsCompareUnsignedBytesAndAnAllNullPageHasNoMinMax() throws Exception {
        BytesColumnEncoder c = new BytesColumnEncoder(column(EventSchema.INSERT_ID), 1 << 20, true, queue);
        c.startChunk(writer);
        for (String v : new String[] {"b", null, "é", "a", "zz", null}) {
            add(c, v);
        }
        c.endChunk();
        c.startChunk(writer);
        add(c, null);
        add(c, null);
        c.endChunk();

        assertThat(pages).hasSize(2);
        Page page = pages.get(0);
        assertThat(page.rows()).isEqualTo(6);
        assertThat(page.statistics().getNumNulls()).isEqualTo(2);
        assertThat(min(page)).isEqualTo("a");
        assertThat(max(page)).as("0xC3 sorts after 'z' as an unsigned byte").isEqualTo("é");
        assertThat(plainValues(page)).containsExactly("b", "é", "a", "zz");
        Page nulls = pages.get(1);
        assertThat(nulls.statistics().hasNonNullValue()).isFalse();
        assertThat(nulls.statistics().getNumNulls()).isEqualTo(2);
    }

    @Test
    void withStatisticsOffAPageCarriesNoMinMax() throws Exception {
        BytesColumnEncoder c = new BytesColumnEncoder(column(EventSchema.PROPERTIES), 1 << 20, false, queue);
        c.startChunk(writer);
        add(c, "{\"a\":1}");
        add(c, null);
        c.endChunk();

        assertThat(pages).singleElement().satisfies(p -> {
            assertThat(p.statistics().hasNonNullValue()).isFalse();
            assertThat(plainValues(p)).containsExactly("{\"a\":1}");
        });
    }

    @Test
    void aPageEndsOnceItsValuesReachThePageSize() throws Exception {
        BytesColumnEncoder c = new BytesColumnEncoder(column(EventSchema.INSERT_ID), 1024, true, queue);
        c.startChunk(writer);
        for (int i = 0; i < 100; i++) {
            add(c, String.format("id-%096d", i)); // 100 bytes + 4 of length each
        }
        c.endChunk();

        assertThat(pages).hasSizeGreaterThan(5);
        int total = 0;
        for (Page p : pages.subList(0, pages.size() - 1)) {
            assertThat(p.rows()).isEqualTo(10); // 10 values of 104 bytes pass 1024
            total += p.rows();
        }
        assertThat(total + pages.get(pages.size() - 1).rows()).isEqualTo(100);
        assertThat(min(pages.get(1))).endsWith("10");
        assertThat(max(pages.get(1))).endsWith("19");
    }

    @Test
    void aOneMibPageEndsBeforeItsArrayOutgrowsOneMib() throws Exception {
        // 1.9 KB values, as a mobile event's properties: the page is cut when the next value would make its
        // array grow past 1 MiB (one G1 region), not at 1.05 MiB in a 2 MiB array
        List<Integer> arrays = new ArrayList<>();
        ColumnEncoder.PageQueue recording = (column, w, bytes, start, end, rows, statistics, sizes, levels, values) -> {
            arrays.add(bytes.length);
            return queue.add(column, w, bytes, start, end, rows, statistics, sizes, levels, values);
        };
        BytesColumnEncoder c = new BytesColumnEncoder(column(EventSchema.PROPERTIES), 1 << 20, false, recording);
        c.startChunk(writer);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            String v = String.format("%05d", i) + "p".repeat(1_895);
            written.add(v);
            add(c, v);
        }
        c.endChunk();

        assertThat(arrays).allSatisfy(length -> assertThat(length).isLessThanOrEqualTo((1 << 20) - 16));
        assertThat(pages).hasSize(6);
        for (Page p : pages.subList(0, pages.size() - 1)) {
            assertThat(p.bytes().length).as("a full page, just under 1 MiB").isBetween((1 << 20) - 8_192, 1 << 20);
        }
        List<String> read = new ArrayList<>();
        pages.forEach(p -> read.addAll(plainValues(p)));
        assertThat(read).isEqualTo(written);
    }

    @Test
    void aDictionaryColumnIndexesRepeatedValuesAndWritesItsDictionaryAtTheChunksEnd() throws Exception {
        DictionaryColumnEncoder c = new DictionaryColumnEncoder(column(EventSchema.EVENT_NAME), 1 << 20, 1 << 20, queue);
        c.startChunk(writer);
        for (int i = 0; i < ColumnEncoder.PAGE_ROW_LIMIT + 100; i++) {
            add(c, i < ColumnEncoder.PAGE_ROW_LIMIT ? (i % 2 == 0 ? "Signed up" : "Viewed") : "App opened");
        }
        c.endChunk();

        assertThat(pages).hasSize(2).allSatisfy(p -> assertThat(p.values()).isEqualTo(Encoding.PLAIN_DICTIONARY));
        assertThat(min(pages.get(0))).isEqualTo("Signed up");
        assertThat(max(pages.get(0))).isEqualTo("Viewed");
        assertThat(min(pages.get(1))).as("each page's own values").isEqualTo("App opened");
        assertThat(max(pages.get(1))).isEqualTo("App opened");
        assertThat(dictionaries).singleElement().satisfies(d -> {
            assertThat(d.getDictionarySize()).isEqualTo(3);
            assertThat(d.getEncoding()).isEqualTo(Encoding.PLAIN_DICTIONARY);
        });
    }

    @Test
    void aDictionaryThatOverflowsMidPageRewritesThatPageAsPlainAndKeepsTheDictionaryForEarlierPages()
            throws Exception {
        // 2 KiB of dictionary: the 10 repeated values fit; then unique values overflow it in the second page
        DictionaryColumnEncoder c = new DictionaryColumnEncoder(column(EventSchema.DISTINCT_ID), 1 << 20, 2048, queue);
        c.startChunk(writer);
        List<String> second = new ArrayList<>();
        for (int i = 0; i < ColumnEncoder.PAGE_ROW_LIMIT + 300; i++) {
            String v = i < ColumnEncoder.PAGE_ROW_LIMIT + 50 ? "user-" + (i % 10) : "unique-" + i;
            if (i >= ColumnEncoder.PAGE_ROW_LIMIT) {
                second.add(v);
            }
            add(c, v);
        }
        c.endChunk();

        assertThat(pages).hasSize(2);
        assertThat(pages.get(0).values()).isEqualTo(Encoding.PLAIN_DICTIONARY);
        Page fallback = pages.get(1);
        assertThat(fallback.values()).isEqualTo(Encoding.PLAIN);
        assertThat(plainValues(fallback)).as("indexed values rewritten as PLAIN, in order").isEqualTo(second);
        assertThat(min(fallback)).isEqualTo("unique-20050");
        assertThat(max(fallback)).isEqualTo("user-9");
        assertThat(dictionaries).as("the first page still needs its dictionary").singleElement()
                .satisfies(d -> assertThat(d.getDictionarySize()).as("10 + the 121 unique values that fit").isEqualTo(131));

        // the next chunk starts with a fresh dictionary, encoding again
        pages.clear();
        dictionaries.clear();
        c.startChunk(writer);
        for (int i = 0; i < 1000; i++) {
            add(c, "user-" + (i % 3));
        }
        c.endChunk();
        assertThat(pages).singleElement().satisfies(p -> assertThat(p.values()).isEqualTo(Encoding.PLAIN_DICTIONARY));
        assertThat(dictionaries).singleElement().satisfies(d -> assertThat(d.getDictionarySize()).isEqualTo(3));
    }

    @Test
    void aFirstPageOfUniqueValuesIsPlainWithNoDictionaryPage() throws Exception {
        DictionaryColumnEncoder c = new DictionaryColumnEncoder(column(EventSchema.DEVICE_ID), 1 << 20, 1 << 20, queue);
        c.startChunk(writer);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            values.add(i % 7 == 0 ? null : "device-" + i);
            add(c, values.get(i));
        }
        c.endChunk();

        assertThat(pages).singleElement().satisfies(p -> {
            assertThat(p.values()).isEqualTo(Encoding.PLAIN);
            assertThat(plainValues(p)).isEqualTo(values.stream().filter(v -> v != null).toList());
            assertThat(p.statistics().getNumNulls()).isEqualTo(values.stream().filter(v -> v == null).count());
            assertThat(min(p)).isEqualTo("device-1");
            assertThat(max(p)).isEqualTo("device-99");
        });
        assertThat(dictionaries).as("nothing refers to a dictionary").isEmpty();
    }
}
