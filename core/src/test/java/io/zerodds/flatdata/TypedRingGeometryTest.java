package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A typed ring has the same slots whichever backend holds it. */
class TypedRingGeometryTest {
    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("geom");
    private static final FlatType<MemorySegment> TICK = FlatType.of("Tick", MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("id"), ValueLayout.JAVA_DOUBLE.withName("price"),
            ValueLayout.JAVA_INT.withName("qty"), MemoryLayout.paddingLayout(4)));

    @Test
    void typedRingsWithoutCapacityHoldExactlyOneSampleOnBothBackends() {
        try (var memory = InMemorySlotBackend.builder().type(TICK).build();
             var posix = PosixSlotBackend.create(NAMES.next()).type(TICK).build()) {
            assertThat(memory.slotCapacity()).isEqualTo(24);
            assertThat(posix.slotCapacity()).isEqualTo(memory.slotCapacity());
            assertThat(posix.slotTotalSize()).isEqualTo(memory.slotTotalSize());
        }
    }

    @Test
    void untypedRingsDefaultTo256BytesOnBothBackends() {
        try (var memory = InMemorySlotBackend.builder().build();
             var posix = PosixSlotBackend.create(NAMES.next()).build()) {
            assertThat(memory.slotCapacity()).isEqualTo(256);
            assertThat(posix.slotCapacity()).isEqualTo(256);
        }
    }

    @Test
    void anExplicitCapacityWinsWhicheverOrderTheBuilderIsCalledIn() {
        try (var memory = InMemorySlotBackend.builder().type(TICK).slotCapacity(64).build();
             var posix = PosixSlotBackend.create(NAMES.next()).slotCapacity(64).type(TICK).build()) {
            assertThat(memory.slotCapacity()).isEqualTo(64);
            assertThat(posix.slotCapacity()).isEqualTo(64);
        }
    }

    @Test
    void anExplicitCapacityTooSmallForTheTypeIsRefusedOnBothBackends() {
        assertThatThrownBy(() -> InMemorySlotBackend.builder().slotCapacity(16).type(TICK).build())
                .isInstanceOf(SampleTooLargeException.class).hasMessageContaining("24").hasMessageContaining("16");
        String name = NAMES.next();
        assertThatThrownBy(() -> PosixSlotBackend.create(name).slotCapacity(16).type(TICK).build())
                .isInstanceOf(SampleTooLargeException.class).hasMessageContaining("24").hasMessageContaining("16");
        assertThat(NAMES.path(name)).doesNotExist();
    }

    @Test
    void aTypeMismatchNamesTheTypesBothSidesKnow() {
        FlatType<MemorySegment> quote = FlatType.of("Quote", MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("bid")));
        String name = NAMES.next();
        try (var ring = PosixSlotBackend.create(name).type(TICK).build()) {
            assertThatThrownBy(() -> PosixSlotBackend.open(name).type(quote).build())
                    .isInstanceOf(TypeMismatchException.class).hasMessageContaining(quote.canonicalText())
                    .hasMessageContaining(quote.typeHashHex()).hasMessageContaining(TICK.typeHashHex());
            assertThatThrownBy(() -> FlatReader.attach(ring, quote))
                    .isInstanceOf(TypeMismatchException.class).hasMessageContaining("reader type " + quote.canonicalText());
        }
    }
}
