package io.zerodds.flatdata;

import static io.zerodds.flatdata.SegmentLayout.NOTIFY_OFFSET;
import static io.zerodds.flatdata.SegmentLayout.notifyVolatile;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Blocking on a segment's notify word at 0x10 with {@code FUTEX_WAIT} (process-shared), and
 * waking its waiters with {@code FUTEX_WAKE}, for one backend.
 *
 * <p>A waiting thread announces itself in the segment before its last look at the word, so that a
 * notifier wakes only when someone waits: the first waiting thread of this backend claims a waiter
 * entry and sets its bit in the waiting mask, later ones join that entry; with the waiter table
 * full a thread adds itself to the anonymous waiter count instead. A blocked thread wakes at least
 * every 250 ms to honour {@link Thread#interrupt()} and close. On a plain reference segment nobody
 * is announced (its writer wakes on every change).
 */
final class PosixFutexWait {

    private static final long WAIT_SLICE_NANOS = 250_000_000L;
    /** {@link #enterWait}'s answer for a wait that is not announced in the segment. */
    private static final int NOT_COUNTED = -2;
    /** {@link #enterWait}'s answer for a thread counted in the anonymous waiter count. */
    private static final int ANONYMOUS = -1;

    private final MemorySegment segment;
    private final long notifyAddress;
    /** Threads of this process inside {@link #await}: close waits for them to leave. */
    private final AtomicInteger localWaiters = new AtomicInteger();
    private final Object waitLock = new Object();
    /** Our waiter entry while threads of this backend wait under it, else -1. Guarded by waitLock. */
    private int waitEntry = -1;
    /** Threads waiting under waitEntry. Guarded by waitLock. */
    private int entryWaiters;
    // AtomicLong, not LongAdder: a LongAdder that two threads meet allocates its cells then, on
    // the hot path of whichever thread meets it (each count sits next to a system call anyway)
    private final AtomicLong waitCalls = new AtomicLong();
    private final AtomicLong wakeCalls = new AtomicLong();
    private volatile boolean closed;

    PosixFutexWait(MemorySegment segment) {
        this.segment = segment;
        this.notifyAddress = segment.address() + NOTIFY_OFFSET;
    }

    /** The notify word. */
    int generation() {
        return notifyVolatile(segment, 0);
    }

    /**
     * Blocks until the notify word differs from {@code expected}, up to {@code timeoutNanos}.
     *
     * @param counted the ring to announce the wait in, or null not to announce it
     * @return true when the word changed; false on timeout, interrupt or close
     */
    boolean await(int expected, long timeoutNanos, SegmentSlotBackend counted) {
        localWaiters.incrementAndGet();
        try {
            if (closed) {
                return false;
            }
            int entry = counted != null ? enterWait(counted) : NOT_COUNTED;
            try {
                long start = System.nanoTime();
                while (true) {
                    if (generation() != expected) {
                        return true;
                    }
                    if (closed || Thread.currentThread().isInterrupted()) {
                        return false;
                    }
                    // timeout minus elapsed: exact for any timeout, Long.MAX_VALUE included
                    long remaining = timeoutNanos - (System.nanoTime() - start);
                    if (remaining <= 0) {
                        return false;
                    }
                    waitCalls.incrementAndGet();
                    PosixLibc.futexWait(notifyAddress, expected, Math.min(remaining, WAIT_SLICE_NANOS));
                }
            } finally {
                if (counted != null) {
                    exitWait(counted, entry);
                }
            }
        } finally {
            localWaiters.decrementAndGet();
        }
    }

    /**
     * Announces a waiting thread before its last look at the generation word (the Dekker store
     * that signalChange's load pairs with). The first waiting thread of this backend claims a
     * waiter entry and sets its bit with a volatile read-modify-write; later ones join it (they
     * come after that store, through the lock). With the table full, threads count anonymously.
     *
     * @return the entry the thread waits under, or {@link #ANONYMOUS}
     */
    private int enterWait(SegmentSlotBackend ring) {
        synchronized (waitLock) {
            if (waitEntry < 0) {
                int entry = ring.waiters.claim();
                if (entry < 0) {
                    ring.addWaiter(1);
                    return ANONYMOUS;
                }
                waitEntry = entry;
                ring.waiters.markWaiting(entry);
            }
            entryWaiters++;
            return waitEntry;
        }
    }

    private void exitWait(SegmentSlotBackend ring, int entry) {
        synchronized (waitLock) {
            if (entry == ANONYMOUS) {
                ring.addWaiter(-1);
            } else if (--entryWaiters == 0) {
                waitEntry = -1;
                ring.waiters.release(entry);
            }
        }
    }

    /** {@code FUTEX_WAKE} on the notify word: wakes every thread of every process blocked on it. */
    void wake() {
        wakeCalls.incrementAndGet();
        PosixLibc.futexWake(notifyAddress);
    }

    /** From close, first: waits that start from now on return at once, blocked ones at their next look. */
    void markClosed() {
        closed = true;
    }

    /**
     * From close, before the mapping goes away: wakes until every thread of this process has left
     * {@link #await}, for at most two seconds.
     */
    void drainWaiters() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (localWaiters.get() != 0 && System.nanoTime() < until) {
            wake();
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** {@code FUTEX_WAIT} system calls made through this instance. */
    long waitCalls() {
        return waitCalls.get();
    }

    /** {@code FUTEX_WAKE} system calls made through this instance. */
    long wakeCalls() {
        return wakeCalls.get();
    }
}
