package io.zerodds.flatdata.bench.peers;

/**
 * The give-up rule of every busy-wait in the peer benchmark: an iteration is a spin-wait hint;
 * every 2^16 iterations of one wait the clock is read, and a wait longer than {@link #PATIENCE_NANOS}
 * fails, so a process whose partner died never spins forever.
 */
final class Spin {
    private Spin() {
    }

    /** How long one side waits for the other: 10 s. */
    static final long PATIENCE_NANOS = 10_000_000_000L;
    private static final long CHECK_EVERY = 1 << 16;

    /**
     * One iteration of a wait for {@code what} that began at {@code startNanos} (0: not yet read);
     * {@code n} counts the iterations so far. Returns the start time to pass to the next call.
     */
    static long idle(long n, long startNanos, String what) {
        Thread.onSpinWait();
        if ((n & (CHECK_EVERY - 1)) != CHECK_EVERY - 1) {
            return startNanos;
        }
        long now = System.nanoTime();
        if (startNanos == 0) {
            return now;
        }
        if (now - startNanos > PATIENCE_NANOS) {
            throw new IllegalStateException("no " + what + " within " + PATIENCE_NANOS / 1_000_000_000L
                    + " s (the other process is gone?)");
        }
        return startNanos;
    }
}
