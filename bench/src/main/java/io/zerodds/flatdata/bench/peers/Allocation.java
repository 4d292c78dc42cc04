package io.zerodds.flatdata.bench.peers;

import java.lang.management.ManagementFactory;

/** Heap allocation counters of the JVM's threads (HotSpot's thread-allocation accounting). */
final class Allocation {
    private Allocation() {
    }

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes allocated by the calling thread so far. */
    static long currentThread() {
        return MX.getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated by every thread of the process so far, those that ended included. */
    static long process() {
        return MX.getTotalThreadAllocatedBytes();
    }

    /** The CPU time of thread {@code id} so far, in nanoseconds. */
    static long cpuNanos(long threadId) {
        return MX.getThreadCpuTime(threadId);
    }
}
