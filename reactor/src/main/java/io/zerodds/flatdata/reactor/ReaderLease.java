package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.SlotBackend;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One attached reader index and everyone who may still mark slots read for it.
 *
 * <p>A reader index must never be marked read after it was detached: another reader may have
 * attached at the same index meanwhile, and our {@code markRead} would then drop its samples. So
 * every party that may call {@link #markRead(int)} holds a <em>hold</em>: the open reader, an
 * active subscription, each retained view. {@link #close()} disconnects the index at once (the
 * writer is no longer held back and {@code markRead} becomes harmless) but detaches it, which frees
 * the index for reuse, only when the last hold is gone.
 */
final class ReaderLease {

    private static final System.Logger LOG = System.getLogger("io.zerodds.flatdata.reactor");

    final SlotBackend backend;
    final int index;

    private volatile int holds = 1;
    private static final AtomicIntegerFieldUpdater<ReaderLease> HOLDS =
            AtomicIntegerFieldUpdater.newUpdater(ReaderLease.class, "holds");

    private volatile int closed;
    private static final AtomicIntegerFieldUpdater<ReaderLease> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(ReaderLease.class, "closed");

    private volatile long leaks;
    private static final AtomicLongFieldUpdater<ReaderLease> LEAKS =
            AtomicLongFieldUpdater.newUpdater(ReaderLease.class, "leaks");

    ReaderLease(SlotBackend backend, int index) {
        this.backend = backend;
        this.index = index;
    }

    /** Takes a hold; false once every hold is gone (the index is detached or being detached). */
    boolean acquire() {
        for (;;) {
            int h = holds;
            if (h == 0) {
                return false;
            }
            if (HOLDS.compareAndSet(this, h, h + 1)) {
                return true;
            }
        }
    }

    /** Drops a hold; the last one detaches the index. */
    void release() {
        if (HOLDS.decrementAndGet(this) == 0) {
            try {
                if (!backend.isClosed()) {
                    backend.detachReader(index);
                }
            } catch (IllegalStateException closedMeanwhile) {
                // the backend closed concurrently: nothing left to detach
            }
        }
    }

    /** Marks {@code slot} read; the caller holds a hold. A closed backend makes this a no-op. */
    void markRead(int slot) {
        try {
            if (!backend.isClosed()) {
                backend.markRead(slot, index);
            }
        } catch (IllegalStateException closedMeanwhile) {
            // BackendClosedException: the ring is gone, there is nothing to free
        }
    }

    boolean isClosed() {
        return closed != 0;
    }

    /** Disconnects the index now (the writer stops waiting for it) and drops the reader's own hold. */
    void close() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            if (!backend.isClosed()) {
                backend.markReaderDisconnected(index);
            }
        } catch (IllegalStateException closedMeanwhile) {
            // closed concurrently
        }
        release();
    }

    /** A retained view of {@code sequence} in {@code slot} leaked; {@code freed}: its slot was marked read. */
    void reportLeak(int slot, long sequence, boolean freed) {
        LEAKS.incrementAndGet(this);
        backend.counters().recordLeak(index); // only the leak detector's thread records leaks
        ViewLeakRecoveredEvent.record(backend, index, slot, sequence, freed);
        LOG.log(Level.WARNING, () -> "LEAK: a retained SampleView (sequence=" + sequence + ", slot=" + slot
                + ", reader=" + index + " on " + backend + ") was garbage-collected without release(); "
                + "its slot was recovered. Call release() once for every retain().");
    }

    long leakCount() {
        return leaks;
    }

    int holds() {
        return holds;
    }
}
