package io.zerodds.flatdata;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * The allocation check of a writer thread and a reader thread that block and wake each other: the
 * calling thread writes {@code warmUp + measured} 8-byte samples, a reader thread takes them with
 * an event-driven wait, and each thread counts the bytes it allocated over the last
 * {@code measured} samples. Shared by the allocation tests of every backend. (The single-threaded
 * round stays in each test: called across classes, the JIT inlines it differently and a run can
 * show a one-off allocation of a few hundred bytes.)
 */
public final class AllocationProbe {

    private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes each thread allocated over the measured samples, and the sum of the values read. */
    public record Result(long writerBytes, long readerBytes, long readerSum) {
    }

    private AllocationProbe() {
    }

    public static Result measure(FlatWriter writer, FlatReader reader, long warmUp, long measured)
            throws InterruptedException {
        long total = warmUp + measured;
        Duration patience = Duration.ofSeconds(10);
        long[] readerAllocated = new long[1];
        long[] readerSum = new long[1];
        Thread readerThread = Thread.ofPlatform().name("alloc-reader").start(() -> {
            long before = 0;
            long sum = 0;
            for (long i = 0; i < total; i++) {
                if (i == warmUp) {
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
            if (i == warmUp) {
                before = MX.getCurrentThreadAllocatedBytes();
            }
            FlatWriter.Claim claim = writer.loan();
            claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
            claim.commit(8);
        }
        long writerAllocated = MX.getCurrentThreadAllocatedBytes() - before;
        readerThread.join(60_000);
        if (readerThread.isAlive()) {
            throw new AssertionError("the reader thread did not finish within 60 s");
        }
        return new Result(writerAllocated, readerAllocated[0], readerSum[0]);
    }
}
