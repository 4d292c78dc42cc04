package io.zerodds.flatdata;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one process did with one ring, counted on the hot path without contention or allocation:
 * samples committed and taken, reservations that found the ring full, waits for a free slot and
 * their time, drops, leaked views. The metrics binder of {@code flatdata-micrometer} reads them;
 * so can anyone ({@link SlotBackend#counters()}).
 *
 * <p>Each count has one writing thread at a time (the ring's one writer for the writer-side
 * counts, a reader index's one reading thread for that reader's counts), so a count is a plain
 * field advanced with a release store and read with an acquire load: on x86 and aarch64 a plain
 * store and a plain load, no atomic instruction, no shared line between writer and readers (the
 * per-reader counts sit on lines of their own). The counts are this process's: a reader in
 * another process counts in that process's backend.
 *
 * <p>The {@code record} methods are called by flatdata's own writers, readers and backends.
 */
public final class RingCounters {

    /** The counters of a backend that keeps none: every count reads 0, recording does nothing. */
    public static final RingCounters UNCOUNTED = new RingCounters(false);

    /** Reader indices counted: the 32 of a reader mask. */
    public static final int READERS = 32;
    /** Longs per reader: one cache line each, so that readers on different threads share none. */
    private static final int STRIDE = 8;

    private final boolean counting;
    // writer side: the ring's one writer thread
    private long committed;
    private long ringFull;
    private long waits;
    private long waitNanos;
    private long dropped;
    private final long[] taken = new long[READERS * STRIDE];
    private final long[] leaks = new long[READERS * STRIDE];

    private static final VarHandle COMMITTED;
    private static final VarHandle RING_FULL;
    private static final VarHandle WAITS;
    private static final VarHandle WAIT_NANOS;
    private static final VarHandle DROPPED;
    private static final VarHandle ELEMENT = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COMMITTED = l.findVarHandle(RingCounters.class, "committed", long.class);
            RING_FULL = l.findVarHandle(RingCounters.class, "ringFull", long.class);
            WAITS = l.findVarHandle(RingCounters.class, "waits", long.class);
            WAIT_NANOS = l.findVarHandle(RingCounters.class, "waitNanos", long.class);
            DROPPED = l.findVarHandle(RingCounters.class, "dropped", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Counters that count. */
    public RingCounters() {
        this(true);
    }

    private RingCounters(boolean counting) {
        this.counting = counting;
    }

    /** Whether this instance counts ({@link #UNCOUNTED} does not). */
    public boolean counting() {
        return counting;
    }

    // ------------------------------------------------------------------ recording

    /** A sample was committed (the writer thread). */
    public void recordCommitted() {
        if (counting) {
            COMMITTED.setRelease(this, committed + 1);
        }
    }

    /** A writer found the ring full when it wanted a slot (the writer thread). */
    public void recordRingFull() {
        if (counting) {
            RING_FULL.setRelease(this, ringFull + 1);
        }
    }

    /** A writer waited {@code nanos} for a free slot (the writer thread). */
    public void recordWait(long nanos) {
        if (counting) {
            WAIT_NANOS.setRelease(this, waitNanos + Math.max(0, nanos));
            WAITS.setRelease(this, waits + 1);
        }
    }

    /** A best-effort writer dropped a sample (the writer thread). */
    public void recordDropped() {
        if (counting) {
            DROPPED.setRelease(this, dropped + 1);
        }
    }

    /** Reader {@code reader} took (marked read) a sample (that reader's thread). */
    public void recordTaken(int reader) {
        if (counting) {
            int at = at(reader);
            ELEMENT.setRelease(taken, at, taken[at] + 1);
        }
    }

    /** A view of reader {@code reader} leaked and was recovered (that reader's leak detector). */
    public void recordLeak(int reader) {
        if (counting) {
            int at = at(reader);
            ELEMENT.setRelease(leaks, at, leaks[at] + 1);
        }
    }

    // ------------------------------------------------------------------ reading (any thread)

    /** Samples committed through this backend. */
    public long committed() {
        return (long) COMMITTED.getAcquire(this);
    }

    /** Times a writer found the ring full (a best-effort drop, or the start of a wait). */
    public long ringFull() {
        return (long) RING_FULL.getAcquire(this);
    }

    /** Waits of writers for a free slot. */
    public long waits() {
        return (long) WAITS.getAcquire(this);
    }

    /** Nanoseconds writers spent waiting for a free slot. */
    public long waitNanos() {
        return (long) WAIT_NANOS.getAcquire(this);
    }

    /** Samples best-effort writers dropped. */
    public long dropped() {
        return (long) DROPPED.getAcquire(this);
    }

    /** Samples reader {@code reader} took through this backend. */
    public long taken(int reader) {
        return (long) ELEMENT.getAcquire(taken, at(reader));
    }

    /** Leaked views of reader {@code reader} recovered. */
    public long leaks(int reader) {
        return (long) ELEMENT.getAcquire(leaks, at(reader));
    }

    private static int at(int reader) {
        if (reader < 0 || reader >= READERS) {
            throw new IllegalArgumentException("reader=" + reader + " is not a reader index (0.." + (READERS - 1) + ")");
        }
        return reader * STRIDE;
    }

    @Override
    public String toString() {
        return counting ? "RingCounters[committed=" + committed() + ", ringFull=" + ringFull() + ", waits=" + waits()
                + ", dropped=" + dropped() + "]" : "RingCounters[uncounted]";
    }
}
