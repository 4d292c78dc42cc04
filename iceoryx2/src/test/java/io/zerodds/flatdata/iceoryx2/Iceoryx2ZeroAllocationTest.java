package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
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
        long total = WARM_UP + MEASURED;
        try (Iceoryx2SlotBackend backend = Iceoryx2SlotBackend.create(NAMES.next()).prefix(Iox2Names.PREFIX)
                .slotCount(4).slotCapacity(64).build();
             FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(10))) {
            Duration patience = Duration.ofSeconds(10);
            long[] readerAllocated = new long[1];
            long[] readerSum = new long[1];
            Thread readerThread = Thread.ofPlatform().name("alloc-reader").start(() -> {
                long before = 0;
                long sum = 0;
                for (long i = 0; i < total; i++) {
                    if (i == WARM_UP) {
                        before = MX.getCurrentThreadAllocatedBytes();
                    }
                    Sample s = reader.take(patience);
                    sum += s.segment().get(ValueLayout.JAVA_LONG, 0);
                    s.release();
                }
                readerAllocated[0] = MX.getCurrentThreadAllocatedBytes() - before;
                readerSum[0] = sum;
            });
            long before = 0;
            for (long i = 0; i < total; i++) {
                if (i == WARM_UP) {
                    before = MX.getCurrentThreadAllocatedBytes();
                }
                FlatWriter.Claim claim = writer.loan();
                claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                claim.commit(8);
            }
            long writerAllocated = MX.getCurrentThreadAllocatedBytes() - before;
            readerThread.join(60_000);
            assertThat(readerThread.isAlive()).isFalse();
            assertThat(readerSum[0]).isEqualTo(total * (total - 1) / 2);
            assertThat(writerAllocated).as("bytes the writer allocated over %d samples", MEASURED).isZero();
            assertThat(readerAllocated[0]).as("bytes the reader allocated over %d samples", MEASURED).isZero();
        }
    }
}
