package io.zerodds.flatdata.bench;

import java.time.Duration;

/**
 * The give-up check of the benchmarks' busy-wait loops, so that a process whose peer died does
 * not spin forever: an iteration costs a pause and an increment; every 2^20 iterations of one
 * wait, the clock is read.
 */
final class BusyWait {
    private BusyWait() {
    }

    /** How long one side waits for the other before it gives up. */
    static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final long CHECK_EVERY = 1 << 20;
    private static long since;

    /**
     * One iteration of a busy wait for {@code what}; {@code n} counts the wait's iterations so far
     * (0 at its start). Returns the new count.
     *
     * @throws IllegalStateException when the wait has lasted longer than {@link #PATIENCE}
     */
    static long idle(long n, String what) {
        Thread.onSpinWait();
        long next = n + 1;
        if ((next & (CHECK_EVERY - 1)) == 0) {
            check(next, what);
        }
        return next;
    }

    private static void check(long n, String what) {
        long now = System.nanoTime();
        if (n == CHECK_EVERY) {
            since = now;
        } else if (now - since > PATIENCE.toNanos()) {
            throw new IllegalStateException("no " + what + " within " + PATIENCE + " (the other process is gone?)");
        }
    }
}
