package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlatWriterReaderTest {

    static final StructLayout TICK_LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("id"),
            ValueLayout.JAVA_DOUBLE.withName("price"),
            ValueLayout.JAVA_INT.withName("qty"),
            MemoryLayout.paddingLayout(4));

    record Tick(long id, double price, int qty) {
    }

    static final FlatType<Tick> TICK = FlatType.of("Tick", TICK_LAYOUT, new FlatType.Codec<>() {
        @Override
        public void encode(Tick t, MemorySegment slot) {
            slot.set(ValueLayout.JAVA_LONG, 0, t.id());
            slot.set(ValueLayout.JAVA_DOUBLE, 8, t.price());
            slot.set(ValueLayout.JAVA_INT, 16, t.qty());
        }

        @Override
        public Tick decode(MemorySegment s) {
            return new Tick(s.get(ValueLayout.JAVA_LONG, 0), s.get(ValueLayout.JAVA_DOUBLE, 8), s.get(ValueLayout.JAVA_INT, 16));
        }
    });

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void copiesAndLoansArriveInOrderAsViewsAndCopies() {
        try (var backend = InMemorySlotBackend.create(4, 32);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            long s0 = writer.write(utf8("copy"));
            long s1;
            try (FlatWriter.Claim claim = writer.loan()) {
                MemorySegment.copy(MemorySegment.ofArray(utf8("in place")), 0, claim.segment(), 0, 8);
                s1 = claim.commit(8);
            }
            long s2 = writer.write(MemorySegment.ofArray(utf8("segment")));
            assertThat(new long[] {s0, s1, s2}).containsExactly(0, 1, 2);
            try (Sample a = reader.take()) {
                assertThat(a.sequence()).isEqualTo(0);
                assertThat(a.copy()).isEqualTo(utf8("copy"));
                assertThat(a.segment().isReadOnly()).isTrue();
                assertThat(a.asByteBuffer().isReadOnly()).isTrue();
            }
            assertThat(reader.takeCopy()).isEqualTo(utf8("in place"));
            assertThat(reader.takeCopy(Duration.ofMillis(10))).isEqualTo(utf8("segment"));
            assertThat(reader.take()).isNull();
            assertThat(reader.takeCopy()).isNull();
        }
    }

    @Test
    void closingAClaimWithoutCommitDiscardsIt() {
        try (var backend = InMemorySlotBackend.create(1, 16);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.bestEffort(backend)) {
            try (FlatWriter.Claim claim = writer.loan()) {
                claim.segment().set(ValueLayout.JAVA_INT, 0, 7);
            }
            assertThat(reader.take()).isNull();
            FlatWriter.Claim again = writer.loan();
            assertThat(again).as("the slot is free again").isNotNull();
            again.abort();
            assertThatThrownBy(() -> again.commit(4)).isInstanceOf(SlotStateException.class).hasMessageContaining("aborted");
            assertThatThrownBy(again::segment).isInstanceOf(SlotStateException.class);
        }
    }

    @Test
    void aBestEffortWriterDropsAndCountsWhenTheRingIsFull() {
        try (var backend = InMemorySlotBackend.create(2, 16);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.bestEffort(backend)) {
            assertThat(writer.write(utf8("a"))).isEqualTo(0);
            assertThat(writer.write(utf8("b"))).isEqualTo(1);
            assertThat(writer.write(utf8("c"))).isEqualTo(FlatWriter.DROPPED);
            assertThat(writer.loan()).isNull();
            assertThat(writer.droppedCount()).isEqualTo(2);
            assertThat(reader.takeCopy()).isEqualTo(utf8("a"));
            assertThat(writer.write(utf8("d"))).isEqualTo(2);
            assertThat(reader.takeCopy()).isEqualTo(utf8("b"));
            assertThat(reader.takeCopy()).isEqualTo(utf8("d"));
        }
    }

    @Test
    void aReliableWriterWaitsForAFreeSlotAndTimesOutClearly() throws Exception {
        try (var backend = InMemorySlotBackend.create(1, 16);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofMillis(100))) {
            writer.write(utf8("a"));
            assertThatThrownBy(() -> writer.write(utf8("b")))
                    .isInstanceOf(SlotTimeoutException.class).hasMessageContaining("no free slot").hasMessageContaining("0.1S");
            Thread taker = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                reader.takeCopy();
            });
            try (var patient = FlatWriter.reliable(backend, Duration.ofSeconds(10))) {
                assertThat(patient.write(utf8("c"))).isEqualTo(1);
            }
            assertThat(taker.join(Duration.ofSeconds(10))).as("taker finished before the reader closes").isTrue();
        }
    }

    @Test
    void takeWaitsForASampleAndReturnsNullOnTimeout() throws Exception {
        try (var backend = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            long t0 = System.nanoTime();
            assertThat(reader.take(Duration.ofMillis(50))).isNull();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(45));
            Thread late = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                writer.write(utf8("late"));
            });
            try (Sample s = reader.take(Duration.ofSeconds(10))) {
                assertThat(s).isNotNull();
                assertThat(s.copy()).isEqualTo(utf8("late"));
            }
            // the write loans ahead after its commit: the writer is that thread's until it ends
            assertThat(late.join(Duration.ofSeconds(10))).as("writing thread finished").isTrue();
            assertThatThrownBy(() -> reader.take(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=PT-1S");
        }
    }

    @Test
    void aReleasedSampleRefusesEveryAccessAndReleaseIsIdempotent() {
        try (var backend = InMemorySlotBackend.create(2, 16);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            writer.write(utf8("x"));
            Sample s = reader.take();
            s.release();
            s.release();
            assertThat(s.isReleased()).isTrue();
            assertThatThrownBy(s::segment).isInstanceOf(IllegalStateException.class).hasMessageContaining("sequence=0").hasMessageContaining("released");
            assertThatThrownBy(s::copy).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(s::sequence).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void writerChecksLengthsBeforeTakingASlot() {
        try (var backend = InMemorySlotBackend.create(1, 8);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> writer.write(new byte[9])).isInstanceOf(SampleTooLargeException.class)
                    .hasMessageContaining("size=9").hasMessageContaining("capacity=8");
            assertThatThrownBy(() -> writer.write(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("length=0");
            assertThatThrownBy(() -> writer.write(new byte[4], 2, 4)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(writer.write(utf8("ok"))).as("nothing was loaned by the failures").isEqualTo(0);
            assertThat(reader.takeCopy()).isEqualTo(utf8("ok"));
        }
    }

    @Test
    void typedWritersAndReadersShareTheTypeAndFieldsWorkInPlace() {
        try (var backend = InMemorySlotBackend.builder().slotCount(4).type(TICK).build();
             var reader = FlatReader.attach(backend, TICK);
             var writer = FlatWriter.builder(backend).type(TICK).build()) {
            assertThat(backend.slotCapacity()).isEqualTo(24);
            writer.write(TICK, new Tick(7, 101.25, 3));
            try (FlatWriter.Claim claim = writer.loan()) {
                TICK.longField("id").set(claim.segment(), 8);
                TICK.doubleField("price").set(claim.segment(), 99.5);
                TICK.intField("qty").set(claim.segment(), 4);
                claim.commit();
            }
            try (Sample s = reader.take()) {
                assertThat(s.decode(TICK)).isEqualTo(new Tick(7, 101.25, 3));
            }
            try (Sample s = reader.take()) {
                assertThat(TICK.longField("id").get(s.segment())).isEqualTo(8);
                assertThat(TICK.doubleField("price").get(s.segment())).isEqualTo(99.5);
                assertThat(s.decode(TICK).qty()).isEqualTo(4);
            }
        }
    }

    @Test
    void aWriterAndAReaderOfDifferentTypesRefuseTheRing() {
        FlatType<MemorySegment> other = FlatType.of("Tick", MemoryLayout.structLayout(
                ValueLayout.JAVA_LONG.withName("id"), ValueLayout.JAVA_LONG.withName("price"),
                ValueLayout.JAVA_INT.withName("qty"), MemoryLayout.paddingLayout(4)));
        try (var backend = InMemorySlotBackend.builder().slotCount(4).type(TICK).build()) {
            assertThatThrownBy(() -> FlatReader.attach(backend, other))
                    .isInstanceOf(TypeMismatchException.class)
                    .hasMessageContaining("reader type Tick{id:i64,price:i64,qty:i32,_:pad4}")
                    .hasMessageContaining(TICK.typeHashHex());
            assertThatThrownBy(() -> FlatWriter.builder(backend).type(other).build())
                    .isInstanceOf(TypeMismatchException.class).hasMessageContaining("writer type");
            assertThat(backend.activeReaders()).as("a refused reader holds no index").isZero();
        }
        try (var untyped = InMemorySlotBackend.create(4, 64)) {
            assertThatThrownBy(() -> FlatReader.attach(untyped, TICK))
                    .isInstanceOf(TypeMismatchException.class).hasMessageContaining("type hash=none");
        }
    }

    @Test
    void aWriterOrReaderAfterCloseFailsClearlyAndCloseIsIdempotent() {
        var backend = InMemorySlotBackend.create(2, 16);
        var reader = FlatReader.attach(backend);
        var writer = FlatWriter.reliable(backend, Duration.ofSeconds(1));
        writer.close();
        reader.close();
        reader.close();
        assertThatThrownBy(() -> writer.write(utf8("x"))).isInstanceOf(BackendClosedException.class).hasMessageContaining("writer");
        assertThatThrownBy(reader::take).isInstanceOf(BackendClosedException.class).hasMessageContaining("reader");
        assertThat(backend.activeReaders()).isZero();
        backend.close();
        assertThatThrownBy(() -> FlatWriter.reliable(backend, Duration.ZERO)).isInstanceOf(BackendClosedException.class);
        assertThatThrownBy(() -> FlatReader.attach(backend)).isInstanceOf(BackendClosedException.class);
    }
    @Test
    void aReaderReportsTheEndOfTheStreamAfterTheLastSampleAndStopsWaiting() {
        try (var backend = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            writer.write(utf8("only"));
            writer.endStream();
            assertThat(reader.isEndOfStream()).isFalse();
            assertThat(reader.takeCopy()).isEqualTo(utf8("only"));
            assertThat(reader.isEndOfStream()).isTrue();
            long t0 = System.nanoTime();
            assertThat(reader.take(Duration.ofSeconds(30))).isNull();
            assertThat(System.nanoTime() - t0).as("no wait at the end").isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThatThrownBy(() -> writer.write(utf8("late"))).isInstanceOf(SlotStateException.class)
                    .hasMessageContaining("ended");
        }
    }
}
