package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The steady-state loan/commit/take/release path allocates nothing per sample. */
class ZeroAllocationTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("alloc");

    static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    static final int MEASURED = 100_000;

    /** One round: loan, write in place, commit, take, read in place, release. */
    static long round(FlatWriter writer, FlatReader reader, long i) {
        FlatWriter.Claim claim = writer.loan();
        MemorySegment out = claim.segment();
        out.set(ValueLayout.JAVA_LONG, 0, i);
        out.set(ValueLayout.JAVA_LONG, 8, ~i);
        claim.commit(16);
        Sample s = reader.take();
        long v = s.segment().get(ValueLayout.JAVA_LONG, 0) ^ s.segment().get(ValueLayout.JAVA_LONG, 8) ^ s.sequence();
        s.release();
        return v;
    }

    @Test
    void loanCommitTakeReleaseAllocateZeroBytesPerSample() {
        assertThat(MX.isThreadAllocatedMemorySupported()).isTrue();
        try (InMemorySlotBackend backend = InMemorySlotBackend.create(16, 64);
             FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            long sink = 0;
            for (long i = 0; i < 300_000; i++) { // warm-up: let the JIT compile the path
                sink += round(writer, reader, i);
            }
            long before = MX.getCurrentThreadAllocatedBytes();
            for (long i = 0; i < MEASURED; i++) {
                sink += round(writer, reader, i);
            }
            long allocated = MX.getCurrentThreadAllocatedBytes() - before;
            assertThat(sink).isNotEqualTo(42);
            assertThat(allocated).as("bytes allocated over %d samples", MEASURED).isZero();
        }
    }

    @Test
    void typedFieldAccessInTheSlotAllocatesNothing() {
        FlatType<MemorySegment> tick = FlatType.of("Tick", java.lang.foreign.MemoryLayout.structLayout(
                ValueLayout.JAVA_LONG.withName("id"), ValueLayout.JAVA_DOUBLE.withName("price")));
        FlatType.LongField id = tick.longField("id");
        FlatType.DoubleField price = tick.doubleField("price");
        try (InMemorySlotBackend backend = InMemorySlotBackend.builder().slotCount(8).type(tick).build();
             FlatReader reader = FlatReader.attach(backend, tick);
             FlatWriter writer = FlatWriter.builder(backend).type(tick).build()) {
            double sink = 0;
            long before = 0;
            for (long i = 0; i < 300_000 + MEASURED; i++) {
                if (i == 300_000) {
                    before = MX.getCurrentThreadAllocatedBytes();
                }
                FlatWriter.Claim claim = writer.loan();
                id.set(claim.segment(), i);
                price.set(claim.segment(), i * 0.5);
                claim.commit();
                Sample s = reader.take();
                sink += id.get(s.segment()) + price.get(s.segment());
                s.release();
            }
            long allocated = MX.getCurrentThreadAllocatedBytes() - before;
            assertThat(sink).isPositive();
            assertThat(allocated).as("bytes allocated over %d typed samples", MEASURED).isZero();
        }
    }

    /**
     * The event-driven path too: a writer thread and a reader thread on a 4-slot POSIX ring block
     * in the futex (the writer when the ring is full, the reader when it is empty) and wake each
     * other all the time. Each thread measures its own allocation over the window after warm-up.
     */
    @Test
    void writerAndReaderThatBlockAndWakeEachOtherAllocateNothingPerSample() throws Exception {
        long warmUp = 300_000;
        try (PosixSlotBackend backend = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(64).build();
             FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(10))) {
            AllocationProbe.Result r = AllocationProbe.measure(writer, reader, warmUp, MEASURED);
            assertThat(r.readerSum()).isEqualTo(r.samples() * (r.samples() - 1) / 2);
            assertThat(backend.wakeCalls()).as("futex wake-ups (the path under test was taken)").isPositive();
            assertThat(r.writerBytes()).as("bytes the writer allocated in its least window of %d samples", MEASURED).isZero();
            assertThat(r.readerBytes()).as("bytes the reader allocated in its least window of %d samples", MEASURED).isZero();
        } finally {
            NAMES.assertNoneLeft();
        }
    }

    /** Sample sizes that change from one sample to the next, drawn once before measuring. */
    private static final int[] SIZES = new java.util.Random(14).ints(4096, 9, 65).toArray();

    /** One round with the sample size {@code SIZES[i % 4096]}, read through the accessors. */
    static long variableRound(FlatWriter writer, FlatReader reader, long i) {
        int size = SIZES[(int) (i & 4095)];
        FlatWriter.Claim claim = writer.loan();
        MemorySegment out = claim.segment();
        out.set(ValueLayout.JAVA_LONG, 0, i);
        out.set(ValueLayout.JAVA_BYTE, size - 1, (byte) size);
        claim.commit(size);
        Sample s = reader.take();
        long v = s.getLong(0) ^ s.getByte(s.size() - 1) ^ s.sequence();
        s.release();
        return v;
    }

    private static void assertVariableSizesAllocateNothing(SlotBackend backend) {
        try (FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            long sink = 0;
            for (long i = 0; i < 300_000; i++) {
                sink += variableRound(writer, reader, i);
            }
            long before = MX.getCurrentThreadAllocatedBytes();
            for (long i = 0; i < MEASURED; i++) {
                sink += variableRound(writer, reader, i);
            }
            long allocated = MX.getCurrentThreadAllocatedBytes() - before;
            assertThat(sink).isNotEqualTo(42);
            assertThat(allocated).as("bytes allocated over %d samples of random sizes 9..64 on %s", MEASURED,
                    backend).isZero();
        }
    }

    @Test
    void samplesWhoseSizeChangesEveryTimeAllocateNothingInMemory() {
        try (InMemorySlotBackend backend = InMemorySlotBackend.create(16, 64)) {
            assertVariableSizesAllocateNothing(backend);
        }
    }

    @Test
    void samplesWhoseSizeChangesEveryTimeAllocateNothingInSharedMemory() {
        try (PosixSlotBackend backend = PosixSlotBackend.create(NAMES.next()).slotCount(16).slotCapacity(64).build()) {
            assertVariableSizesAllocateNothing(backend);
        } finally {
            NAMES.assertNoneLeft();
        }
    }
}
