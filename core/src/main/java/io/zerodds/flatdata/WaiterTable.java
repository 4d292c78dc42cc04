package io.zerodds.flatdata;

import static io.zerodds.flatdata.SegmentLayout.*;
import static io.zerodds.flatdata.WaiterEntryDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.util.function.BiPredicate;

/**
 * The waiter table of a ring's extension region (see {@link SegmentLayout}; each entry's fields
 * in {@link WaiterEntryDescriptor}): one entry per process with a thread blocked in a futex wait,
 * and the waiting mask, whose bit i is set while the process of entry i waits. Only POSIX waits use it (an in-process wait parks on a monitor);
 * a notifier that finds the mask and the anonymous waiter count zero makes no system call.
 *
 * <p>An entry's state word holds its state in the low 8 bits (free, claimed, reclaiming) and an
 * epoch above that counts claims, so a repairer's compare-and-set fails on an entry that changed
 * owner since it looked. The owner (start time, then the pid with a release store) is published
 * after the claim, withdrawn (the pid) before the entry is freed.
 */
final class WaiterTable {
    private final MemorySegment segment;
    /** The extension region, in {@link #segment}. */
    private final long ext;

    WaiterTable(MemorySegment segment, long ext) {
        this.segment = segment;
        this.ext = ext;
    }

    private long waiter(int entry) {
        return waiterEntryOffset(ext, entry);
    }

    /**
     * Claims a free waiter entry for this process (state word to claimed with the next epoch, then
     * the start time, then the pid with a release store: a process that reads our pid reads our
     * start time too); {@code -1} when every entry is taken.
     */
    int claim() {
        for (int entry = 0; entry < WAITER_ENTRIES; entry++) {
            long at = waiter(entry);
            int word = waiterWordAcquire(segment, at);
            if (waiterState(word) == WAITER_FREE && casWaiterWord(segment, at, word, waiterClaimedWord(word))) {
                putWaiterStartTime(segment, at, ProcessIdentity.CURRENT_START_MILLIS);
                putWaiterPidRelease(segment, at, ProcessIdentity.CURRENT_PID);
                return entry;
            }
        }
        return -1;
    }

    /** Sets our entry's bit in the waiting mask: a volatile read-modify-write (a full fence). */
    void markWaiting(int entry) {
        orWaitingMask(segment, ext, 1L << entry);
    }

    /**
     * Clears the entry's bit, then frees the entry (pid first, so a repairer never judges a
     * stranger): by its owner, or by the repairer that won it from a dead owner.
     */
    void release(int entry) {
        clearWaitingMask(segment, ext, 1L << entry);
        long at = waiter(entry);
        putWaiterPidRelease(segment, at, 0);
        int word = waiterWordAcquire(segment, at);
        putWaiterWordRelease(segment, at, waiterFreeWord(word));
    }

    /**
     * Frees the waiter entries (and clears the waiting bits) of processes that died while they
     * waited: without this, every later notify would make a useless wake-up system call. The
     * claim's epoch makes the compare-and-set fail if the entry changed owner since we read it.
     *
     * @param isAlive whether the process with this pid and start time still runs
     * @return how many entries were freed
     */
    int reclaimDead(BiPredicate<Integer, Long> isAlive) {
        int freed = 0;
        for (int entry = 0; entry < WAITER_ENTRIES; entry++) {
            long at = waiter(entry);
            int word = waiterWordAcquire(segment, at);
            if (waiterState(word) != WAITER_CLAIMED) {
                continue;
            }
            int pid = waiterPidAcquire(segment, at);
            long start = waiterStartTimeAcquire(segment, at);
            if (pid == 0 || waiterWordAcquire(segment, at) != word
                    || ProcessIdentity.isCurrent(pid, start) || isAlive.test(pid, start)) {
                continue; // being claimed, changed owner meanwhile, ours, or alive
            }
            if (casWaiterWord(segment, at, word, waiterReclaimingWord(word))) {
                release(entry);
                freed++;
            }
        }
        return freed;
    }

    /** The waiting mask. */
    long waitingMask() {
        return waitingMaskVolatile(segment, ext);
    }
}
