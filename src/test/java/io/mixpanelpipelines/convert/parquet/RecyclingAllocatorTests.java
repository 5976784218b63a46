package io.mixpanelpipelines.convert.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RecyclingAllocatorTests {

    @Test
    void roundsCapacitiesSoThatPagesOfVaryingSizeShareBuffers() {
        assertThat(RecyclingAllocator.roundUp(1)).isEqualTo(64);
        assertThat(RecyclingAllocator.roundUp(100)).isEqualTo(128);
        assertThat(RecyclingAllocator.roundUp(128)).isEqualTo(128);
        assertThat(RecyclingAllocator.roundUp(65536)).isEqualTo(65536);
        assertThat(RecyclingAllocator.roundUp(65537)).isEqualTo(131072);
        assertThat(RecyclingAllocator.roundUp(1_000_000)).isEqualTo(16 * 65536);
    }

    @Test
    void handsOutTheSizeAskedForAndReusesWhatIsReleased() {
        RecyclingAllocator a = new RecyclingAllocator(1 << 20);
        ByteBuffer first = a.allocate(70_000);
        assertThat(first.position()).isZero();
        assertThat(first.remaining()).isEqualTo(70_000);
        first.put(new byte[1000]);
        a.release(first);
        assertThat(a.pooledBytes()).isEqualTo(131072);

        ByteBuffer second = a.allocate(100_000);

        assertThat(second).isSameAs(first);
        assertThat(second.position()).isZero();
        assertThat(second.remaining()).isEqualTo(100_000);
        assertThat(a.pooledBytes()).isZero();
    }

    @Test
    void aSmallerRequestTakesTheSmallestFittingBufferUpToTwiceItsSize() {
        RecyclingAllocator a = new RecyclingAllocator(8 << 20);
        ByteBuffer big = a.allocate(1 << 20);
        ByteBuffer mid = a.allocate(300_000);
        a.release(big);
        a.release(mid);

        assertThat(a.allocate(200_000)).as("the 320 KiB one, not the 1 MiB one").isSameAs(mid);
        ByteBuffer small = a.allocate(100_000);
        assertThat(small).as("1 MiB is more than twice 128 KiB: a new buffer").isNotSameAs(big);
        assertThat(small.capacity()).isEqualTo(131072);
        ByteBuffer large = a.allocate(600_000);
        assertThat(large).isSameAs(big);
        assertThat(large.remaining()).isEqualTo(600_000);
        assertThat(a.pooledBytes()).isZero();
    }

    @Test
    void neverPoolsABufferTwiceNorOneItDidNotHandOut() {
        RecyclingAllocator a = new RecyclingAllocator(1 << 20);
        ByteBuffer b = a.allocate(4096);
        a.release(b);
        a.release(b); // a double release must not put one buffer in two hands
        a.release(ByteBuffer.allocate(4096));

        ByteBuffer x = a.allocate(4096);
        ByteBuffer y = a.allocate(4096);

        assertThat(x).isSameAs(b);
        assertThat(y).isNotSameAs(b);
    }

    @Test
    void keepsAtMostItsLimit() {
        RecyclingAllocator a = new RecyclingAllocator(200_000);
        ByteBuffer b1 = a.allocate(131072);
        ByteBuffer b2 = a.allocate(131072);
        a.release(b1);
        a.release(b2);

        assertThat(a.pooledBytes()).isEqualTo(131072);
    }

    @Test
    void neverPoolsOnTopOfBuffersInUse() {
        RecyclingAllocator a = new RecyclingAllocator(300_000);
        ByteBuffer kept = a.allocate(131072);
        ByteBuffer b1 = a.allocate(131072);
        ByteBuffer b2 = a.allocate(131072);
        a.release(b1); // 2 x 128 KiB in use: pooling another would hold 384 KiB

        assertThat(a.pooledBytes()).isZero();
        assertThat(a.outBytes()).isEqualTo(262144);
        a.release(b2);
        assertThat(a.pooledBytes()).isEqualTo(131072);
        assertThat(a.pooledBytes() + a.outBytes()).isLessThanOrEqualTo(300_000);
        a.release(kept);
        assertThat(a.pooledBytes()).as("no more than the limit").isEqualTo(262144);
        assertThat(a.outBytes()).isZero();
    }
}
