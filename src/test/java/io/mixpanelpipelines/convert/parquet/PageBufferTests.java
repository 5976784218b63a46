package io.mixpanelpipelines.convert.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageBufferTests {

    private static final long MIB = 1 << 20;

    @Test
    void smallBuffersDouble() {
        assertThat(PageBuffer.regionFriendly(100, 128)).isEqualTo(128);
        assertThat(PageBuffer.regionFriendly(300_000, 266_000)).isEqualTo(300_000);
        assertThat(PageBuffer.regionFriendly(400_000, MIB / 2)).isEqualTo(MIB / 2);
    }

    @Test
    void pastHalfAMibAnArrayWithItsHeaderFillsWholeMibs() {
        // doubling 533 KiB would take 1.04 MiB, two G1 regions: one MiB less the header instead
        assertThat(PageBuffer.regionFriendly(540_000, 1_066_000)).isEqualTo(MIB - 16);
        // what is needed always fits
        assertThat(PageBuffer.regionFriendly(MIB, 2 * 540_000)).isEqualTo(2 * MIB - 16);
        assertThat(PageBuffer.regionFriendly(5 * MIB + 1, 2 * MIB)).isEqualTo(6 * MIB - 16);
        assertThat(PageBuffer.regionFriendly(3 * MIB - 16, 2 * MIB)).isEqualTo(3 * MIB - 16);
    }

    @Test
    void aGrowingBufferKeepsItsBytes() {
        PageBuffer b = new PageBuffer(16);
        byte[] value = new byte[700_000];
        value[0] = 1;
        value[699_999] = 2;
        b.putLengthPrefixed(value, 0, value.length);
        assertThat(b.bytes.length).isEqualTo(MIB - 16);
        assertThat(b.size).isEqualTo(700_004);
        assertThat(b.bytes[4]).isEqualTo((byte) 1);
        assertThat(b.bytes[700_003]).isEqualTo((byte) 2);
        assertThat(b.fits((int) (MIB - 16 - 700_004))).isTrue();
        assertThat(b.fits((int) (MIB - 16 - 700_004) + 1)).isFalse();
    }
}
