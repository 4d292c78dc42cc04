package io.zerodds.flatdata.bench.peers;

import java.time.Duration;

/**
 * The give-up rule of one link's busy-wait loops, so that a process whose peer died does not spin
 * forever: an iteration costs a pause and an increment; every 2^16 iterations of one wait the
 * clock is read, and a wait older than {@link #LIMIT} fails. One instance per link (per thread):
 * it keeps the start of the current wait.
 */
final class Patience {

    /** How long one side waits for the other before it gives up. */
    static final Duration LIMIT = Duration.ofSeconds(10);
    private static final long LIMIT_NANOS = LIMIT.toNanos();
    private static final long CHECK_EVERY = 1 << 16;

    private final String link;
    private long since;

    /** {@code link} names the link in the failure message, e.g. {@code "Aeron IPC (ping)"}. */
    Patience(String link) {
        this.link = link;
    }

    /**
     * One iteration of a busy wait for {@code what}; {@code n} counts the wait's iterations so far
     * (0 at its start). Returns the new count.
     *
     * @throws IllegalStateException when the wait has lasted longer than {@link #LIMIT}
     */
    long idle(long n, String what) {
        Thread.onSpinWait();
        long next = n + 1;
        if ((next & (CHECK_EVERY - 1)) == 0) {
            check(next, what);
        }
        return next;
    }

    private void check(long n, String what) {
        long now = System.nanoTime();
        if (n == CHECK_EVERY) {
            since = now;
        } else if (now - since > LIMIT_NANOS) {
            throw new IllegalStateException(link + ": no " + what + " within " + LIMIT
                    + " (the other process is gone?)");
        }
    }
}
