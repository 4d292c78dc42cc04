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

    /** Consecutive windows of {@code measured} samples after the warm-up; each thread reports its least. */
    public static final int WINDOWS = 3;

    /**
     * The least bytes each thread allocated in one of {@link #WINDOWS} windows, the sum of the
     * values read and the number of samples exchanged in all.
     */
    public record Result(long writerBytes, long readerBytes, long readerSum, long samples) {
    }

    private AllocationProbe() {
    }

    /**
     * A writer thread (the caller) and a reader thread exchange {@code warmUp} samples, then
     * {@link #WINDOWS} windows of {@code measured}; each thread counts its own allocation per
     * window and keeps the least. A one-off in the measured part (a deoptimisation that
     * re-materialises an object the compiler had removed, a class initialised on a branch taken
     * for the first time) lands in one window; an allocation per sample lands in every one.
     */
    public static Result measure(FlatWriter writer, FlatReader reader, long warmUp, long measured)
            throws InterruptedException {
        long total = warmUp + WINDOWS * measured;
        Duration patience = Duration.ofSeconds(10);
        long[] readerAllocated = new long[1];
        long[] readerSum = new long[1];
        Thread readerThread = Thread.ofPlatform().name("alloc-reader").start(() -> {
            Windows windows = new Windows(warmUp, measured);
            long sum = 0;
            for (long i = 0; i < total; i++) {
                windows.at(i);
                Sample s = reader.take(patience);
                sum += s.segment().get(ValueLayout.JAVA_LONG, 0);
                s.release();
            }
            readerAllocated[0] = windows.least();
            readerSum[0] = sum;
        });
        Windows windows = new Windows(warmUp, measured);
        for (long i = 0; i < total; i++) {
            windows.at(i);
            FlatWriter.Claim claim = writer.loan();
            claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
            claim.commit(8);
        }
        long writerAllocated = windows.least();
        readerThread.join(60_000);
        if (readerThread.isAlive()) {
            throw new AssertionError("the reader thread did not finish within 60 s");
        }
        return new Result(writerAllocated, readerAllocated[0], readerSum[0], total);
    }

    /** One thread's allocation per window, read at window boundaries only (the reading allocates nothing). */
    private static final class Windows {
        private final long warmUp;
        private final long measured;
        private long start;
        private long least = Long.MAX_VALUE;

        Windows(long warmUp, long measured) {
            this.warmUp = warmUp;
            this.measured = measured;
        }

        /** Called before sample {@code i}: closes a window and opens the next at each boundary. */
        void at(long i) {
            if (i >= warmUp && (i - warmUp) % measured == 0) {
                long now = MX.getCurrentThreadAllocatedBytes();
                if (i > warmUp) {
                    least = Math.min(least, now - start);
                }
                start = now;
            }
        }

        /** The least of the windows; call after the last sample. */
        long least() {
            return Math.min(least, MX.getCurrentThreadAllocatedBytes() - start);
        }
    }
}
