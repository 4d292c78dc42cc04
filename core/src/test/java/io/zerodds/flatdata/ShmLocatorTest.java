package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The locator's own rules; its bytes against the reference crate's are checked in the interop module. */
class ShmLocatorTest {

    @Test
    void fnv1aMatchesTheOfficialVector() {
        assertThat(ShmLocator.fnv1a32("hello".getBytes())).isEqualTo(0x4f9f2cab);
    }

    @Test
    void encodeAndDecodeRoundTripAndPadToFourBytes() {
        ShmLocator l = ShmLocator.of("node1.local", 1000, 16, 128, "/zddspub_AB12CD");
        byte[] bytes = l.encode();
        assertThat(bytes.length % 4).isZero();
        assertThat(bytes).hasSize(20 + 16); // 15 path bytes + 0, already a multiple of 4
        assertThat(ShmLocator.decode(bytes)).isEqualTo(l);
        assertThat(l.isSameHost("node1.local", 1000)).isTrue();
        assertThat(l.isSameHost("node1.local", 999)).isFalse();
        assertThat(l.isSameHost("node2.local", 1000)).isFalse();
    }

    @Test
    void badBytesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ShmLocator.decode(new byte[19]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("19 bytes");
        byte[] tooLong = HexFormat.of().parseHex("00000000000000000000000000000000" + "02010000");
        assertThatThrownBy(() -> ShmLocator.decode(tooLong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("258");
        byte[] pastEnd = HexFormat.of().parseHex("00000000000000000000000000000000" + "0a000000" + "2f61");
        assertThatThrownBy(() -> ShmLocator.decode(pastEnd))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runs past");
        byte[] notUtf8 = HexFormat.of().parseHex("00000000000000000000000000000000" + "02000000" + "ff00");
        assertThatThrownBy(() -> ShmLocator.decode(notUtf8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> new ShmLocator(0, 0, 1, 64, "x".repeat(257)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("257 bytes");
    }
}
