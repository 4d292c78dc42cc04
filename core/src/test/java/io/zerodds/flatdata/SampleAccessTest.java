package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a {@link Sample}'s accessors check, and what its raw segment does not. */
class SampleAccessTest {

    private static void write(FlatWriter writer, long value, int size) {
        try (FlatWriter.Claim claim = writer.loan()) {
            claim.segment().set(ValueLayout.JAVA_LONG, 0, value);
            claim.segment().set(ValueLayout.JAVA_BYTE, size - 1, (byte) size);
            claim.commit(size);
        }
    }

    @Test
    void accessorsReadTheSampleInPlaceAndRefuseReadsOutsideIt() {
        try (var backend = InMemorySlotBackend.create(4, 64);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            write(writer, 42L, 12);
            write(writer, 43L, 40);
            try (Sample s = reader.take()) {
                assertThat(s.size()).isEqualTo(12);
                assertThat(s.getLong(0)).isEqualTo(42L);
                assertThat(s.getByte(11)).isEqualTo((byte) 12);
                assertThat(s.getInt(8)).isEqualTo(s.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 8));
                assertThatThrownBy(() -> s.getLong(8)).isInstanceOf(IndexOutOfBoundsException.class)
                        .hasMessageContaining("8").hasMessageContaining("12");
                assertThatThrownBy(() -> s.getByte(-1)).isInstanceOf(IndexOutOfBoundsException.class)
                        .hasMessageContaining("-1");
                byte[] small = new byte[11];
                assertThatThrownBy(() -> s.copyTo(small, 0)).isInstanceOf(IndexOutOfBoundsException.class);
                byte[] dst = new byte[14];
                assertThat(s.copyTo(dst, 2)).isEqualTo(12);
                assertThat(dst[13]).isEqualTo((byte) 12);
                assertThat(s.segment().byteSize()).isEqualTo(12);
            }
            try (Sample s = reader.take()) {
                assertThat(s.size()).isEqualTo(40);
                assertThat(s.getByte(39)).isEqualTo((byte) 40);
                assertThat(s.segment().byteSize()).as("the raw view has the new size").isEqualTo(40);
                MemorySegment copy = MemorySegment.ofArray(new byte[40]);
                assertThat(s.copyTo(copy)).isEqualTo(40);
                assertThat(copy.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)).isEqualTo(43L);
            }
        }
    }

    @Test
    void everyAccessorOfAReleasedSampleThrows() {
        try (var backend = InMemorySlotBackend.create(4, 64);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            write(writer, 7L, 8);
            Sample s = reader.take();
            s.release();
            assertThatThrownBy(() -> s.getLong(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sequence=0").hasMessageContaining("released");
            assertThatThrownBy(() -> s.copyTo(new byte[8], 0)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(s::segment).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(s::size).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aSampleWhoseSlotWasRecycledAfterItsReaderWasDisconnectedFailsItsNextReadButItsRawSegmentDoesNot() {
        try (var backend = InMemorySlotBackend.create(2, 64);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.builder(backend).loanAhead(false).build()) {
            write(writer, 1L, 9);
            Sample s = reader.take();
            MemorySegment raw = s.segment();
            backend.markReaderDisconnected(reader.readerIndex()); // as when its lease ran out
            write(writer, 2L, 9);
            write(writer, 3L, 9); // the sample's slot again: nobody holds it back now
            assertThat(s.slot()).isEqualTo(0);
            assertThat(backend.slotSequence(0)).isEqualTo(2L);

            assertThatThrownBy(() -> s.getLong(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sample sequence=0").hasMessageContaining("recycled")
                    .hasMessageContaining("sequence=2");
            assertThat(raw.get(ValueLayout.JAVA_LONG, 0))
                    .as("the raw segment is not validated: it shows what the slot holds now, as documented")
                    .isEqualTo(3L);
        }
    }
}
