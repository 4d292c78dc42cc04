package io.zerodds.flatdata;

/**
 * The ring of an extended POSIX segment: {@link SegmentSlotBackend} waiting in the futex
 * ({@link PosixFutexWait}) and reclaiming stalled readers through {@link PosixCrashRecovery}. Its
 * {@link PosixSlotBackend} owns it: closing the ring closes the backend.
 */
final class PosixRing extends SegmentSlotBackend {
    private final PosixSlotBackend outer;
    private final PosixFutexWait futex;

    PosixRing(PosixSlotBackend outer, PosixFutexWait futex, SegmentMapping mapping, int slotCount, int capacity) {
        super(mapping.views, mapping.mapping, slotCount, capacity);
        this.outer = outer;
        this.futex = futex;
    }

    @Override
    public boolean waitForChange(long last, long timeoutNanos) {
        checkOpen();
        checkTimeout(timeoutNanos);
        int expected = (int) last;
        if (generation() != expected) {
            return true;
        }
        if (timeoutNanos == 0) {
            return false;
        }
        // Dekker with signalChange: the wait is announced in the segment (markWaiting or
        // addWaiter, full-fence read-modify-writes), then the word is read again, and FUTEX_WAIT
        // compares it atomically once more in the kernel; the notifier bumps the word, then
        // reads the waiting mask and the anonymous count. Either it sees us and wakes, or we
        // see its bump.
        return futex.await(expected, timeoutNanos, this);
    }

    @Override
    void wakeWaiters() {
        futex.wake();
    }

    @Override
    boolean reclaimStalledReaders(int missing) {
        return outer.recovery.reclaimStalledReaders(missing);
    }

    @Override
    public void close() {
        outer.close();
    }

    @Override
    public String toString() {
        return outer.toString();
    }
}
