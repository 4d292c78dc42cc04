package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.zerodds.flatdata.AllocationProbe;
import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.Sample;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The steady-state loan/commit/take/release path over iceoryx2 allocates nothing on the Java
 * side, measured as {@code ZeroAllocationTest} does for the other backends: the thread
 * allocation counter over 100,000 samples after warm-up.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Iceoryx2ZeroAllocationTest {

    static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    static final int WARM_UP = 300_000;
    static final int MEASURED = 100_000;
    private static final Iox2Names NAMES = new Iox2Names("alloc");

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
        try (Iceoryx2SlotBackend backend = Iceoryx2SlotBackend.create(NAMES.next()).prefix(Iox2Names.PREFIX)
                .slotCount(16).slotCapacity(64).build();
             FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(1))) {
            long sink = 0;
            for (long i = 0; i < WARM_UP; i++) {
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
    void aWriterAndAReaderThatBlockAndWakeEachOtherAllocateNothingPerSample() throws Exception {
        try (Iceoryx2SlotBackend backend = Iceoryx2SlotBackend.create(NAMES.next()).prefix(Iox2Names.PREFIX)
                .slotCount(4).slotCapacity(64).build();
             FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(10))) {
            AllocationProbe.Result r = AllocationProbe.measure(writer, reader, WARM_UP, MEASURED);
            assertThat(r.readerSum()).isEqualTo(r.samples() * (r.samples() - 1) / 2);
            assertThat(backend.eventWaits()).as("blocking waits in the listener (the path under test)").isPositive();
            assertThat(r.writerBytes()).as("bytes the writer allocated in its least window of %d samples", MEASURED).isZero();
            assertThat(r.readerBytes()).as("bytes the reader allocated in its least window of %d samples", MEASURED).isZero();
        }
    }
}
