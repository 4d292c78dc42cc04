package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FlatTypeTest {

    @Test
    void theTypeHashIsTheFirst16BytesOfSha256OfTheCanonicalText() throws Exception {
        FlatType<MemorySegment> t = FlatType.of("Pose", MemoryLayout.structLayout(
                ValueLayout.JAVA_INT.withName("frame"),
                MemoryLayout.paddingLayout(4),
                MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_DOUBLE).withName("xyz"),
                MemoryLayout.structLayout(ValueLayout.JAVA_SHORT.withName("a"), ValueLayout.JAVA_BYTE.withName("b"),
                        ValueLayout.JAVA_BYTE.withName("c")).withName("Flags").withName("flags"),
                ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN).withName("net")));
        assertThat(t.canonicalText()).isEqualTo("Pose{frame:i32,_:pad4,xyz:[3]f64,flags:flags{a:i16,b:i8,c:i8},net:i32:be}");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(t.canonicalText().getBytes(StandardCharsets.UTF_8));
        assertThat(t.typeHash()).isEqualTo(Arrays.copyOf(digest, 16));
        assertThat(t.typeHashHex()).hasSize(32);
        assertThat(t.byteSize()).isEqualTo(40);
    }

    @Test
    void differentLayoutsHaveDifferentHashesAndEqualLayoutsEqualOnes() {
        var a = FlatType.of("T", MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("x")));
        var b = FlatType.of("T", MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("x")));
        var c = FlatType.of("T", MemoryLayout.structLayout(ValueLayout.JAVA_DOUBLE.withName("x")));
        var d = FlatType.of("U", MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("x")));
        assertThat(a.typeHash()).isEqualTo(b.typeHash());
        assertThat(a.typeHash()).isNotEqualTo(c.typeHash()).isNotEqualTo(d.typeHash());
    }

    @Test
    void layoutsThatCannotCrossProcessesAreRefusedWithTheField() {
        assertThatThrownBy(() -> FlatType.of("P", MemoryLayout.structLayout(ValueLayout.ADDRESS.withName("next"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P.next").hasMessageContaining("address");
        assertThatThrownBy(() -> FlatType.of("P", MemoryLayout.structLayout(ValueLayout.JAVA_INT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no name");
        assertThatThrownBy(() -> FlatType.of("bad name", MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad name'");
    }

    @Test
    void fieldAccessorsCheckNameAndKind() {
        var t = FlatType.of("T", MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("x")));
        assertThatThrownBy(() -> t.intField("x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not int");
        assertThatThrownBy(() -> t.longField("y")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no field 'y'");
        MemorySegment seg = MemorySegment.ofArray(new long[1]);
        t.longField("x").set(seg, -5L);
        assertThat(t.longField("x").get(seg)).isEqualTo(-5L);
    }

    @Test
    void decodeRefusesASampleShorterThanTheType() {
        var t = FlatType.of("T", MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("x")));
        assertThatThrownBy(() -> t.decode(MemorySegment.ofArray(new byte[4])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample size=4").hasMessageContaining("size=8");
    }
}
