package io.mixpanelpipelines.convert.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A run's writer buffers: never more sets than the pool's size; a day that asks for one more waits. */
class WriterBufferPoolTests {

    @Test
    void makesAtMostItsSizeAndReusesWhatIsGivenBack() throws Exception {
        WriterBufferPool pool = new WriterBufferPool(ParquetWriterOptions.defaults(), 2);
        EventParquetWriter.Buffers a = pool.acquire();
        EventParquetWriter.Buffers b = pool.acquire();
        assertThat(a).isNotSameAs(b);

        pool.release(a);
        pool.release(a); // twice: still one set free
        assertThat(pool.acquire()).isSameAs(a);
        assertThat(pool.created()).isEqualTo(2);
        assertThat(pool.inUse()).isEqualTo(2);
    }

    @Test
    void aThirdDayWaitsUntilADayGivesItsBuffersBack() throws Exception {
        WriterBufferPool pool = new WriterBufferPool(ParquetWriterOptions.defaults(), 2);
        EventParquetWriter.Buffers a = pool.acquire();
        pool.acquire();

        CompletableFuture<EventParquetWriter.Buffers> third = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.acquire();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThatThrownBy(() -> third.get(200, TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        pool.release(a);

        assertThat(third.get(10, TimeUnit.SECONDS)).isSameAs(a);
        assertThat(pool.created()).isEqualTo(2);
    }

    @Test
    void refusesAnEmptyPool() {
        assertThatThrownBy(() -> new WriterBufferPool(ParquetWriterOptions.defaults(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
