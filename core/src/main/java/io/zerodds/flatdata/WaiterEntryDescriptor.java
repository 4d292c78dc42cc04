package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The descriptor of one waiter table entry: its fields, the packing of its state word (state and
 * epoch), and the one way each field is loaded and stored. The waiter table is
 * {@link SegmentLayout#WAITER_ENTRIES} such entries in the extension region
 * ({@link SegmentLayout#waiterEntryOffset}), one per process with a thread blocked in a futex
 * wait; the claims and repairs are {@code WaiterTable}'s.
 *
 * <pre>
 * waiter entry (16 bytes)
 * +0 u32 state word: state in the low 8 bits (free, claimed, reclaiming), epoch above
 * +4 u32 pid | +8 u64 start time (epoch ms)
 * </pre>
 *
 * <p>The epoch counts claims, so a repairer's compare-and-set fails on an entry that changed
 * owner since it looked. The owner (start time, then the pid with a release store) is published
 * after the claim, withdrawn (the pid) before the entry is freed.
 *
 * <h2>Accessors and memory order</h2>
 * Each accessor takes the segment and the offset, within it, of the entry ({@code waiter},
 * {@link SegmentLayout#waiterEntryOffset}); a caller that addresses all memory with one unchecked
 * segment passes the ring's address plus the offset. The suffixes name the memory order as in
 * {@link SegmentLayout}:
 * <table>
 *   <caption>Fields and the orders they are accessed with</caption>
 *   <tr><th>field</th><th>loads</th><th>stores</th></tr>
 *   <tr><td>state word</td><td>acquire</td><td>compare-and-set, release</td></tr>
 *   <tr><td>pid</td><td>acquire</td><td>release, after the start time (plain)</td></tr>
 *   <tr><td>start time</td><td>acquire</td><td>plain, published by the pid's release</td></tr>
 * </table>
 * The accessors are static and allocate nothing: the JIT compiles each to the one load or store.
 */
public final class WaiterEntryDescriptor {
    private WaiterEntryDescriptor() {
    }

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    // ---- fields, relative to the entry ----
    public static final long WAITER_ENTRY_SIZE = 16;
    public static final long WAITER_STATE_OFFSET = 0;
    public static final long WAITER_PID_OFFSET = WAITER_STATE_OFFSET + 4;
    public static final long WAITER_START_TIME_OFFSET = WAITER_PID_OFFSET + 4;

    // ---- states (low 8 bits of the state word; the epoch above counts claims) ----
    public static final int WAITER_FREE = 0;
    public static final int WAITER_CLAIMED = 1;
    public static final int WAITER_RECLAIMING = 2;
    public static final int WAITER_STATE_BITS = 0xFF;

    // ================================================================== state word packing

    /** The state (free, claimed, reclaiming) of a waiter state word. */
    public static int waiterState(int word) {
        return word & WAITER_STATE_BITS;
    }

    /** The state word that claims a free entry whose word is {@code word}: the next epoch, claimed. */
    public static int waiterClaimedWord(int word) {
        return (word & ~WAITER_STATE_BITS) + WAITER_STATE_BITS + 1 | WAITER_CLAIMED;
    }

    /** {@code word} (a claimed entry) as being reclaimed from a dead owner, same epoch. */
    public static int waiterReclaimingWord(int word) {
        return (word & ~WAITER_STATE_BITS) | WAITER_RECLAIMING;
    }

    /** {@code word} as free, same epoch. */
    public static int waiterFreeWord(int word) {
        return word & ~WAITER_STATE_BITS;
    }

    // ================================================================== accessors

    public static int waiterWordAcquire(MemorySegment segment, long waiter) {
        return (int) INT.getAcquire(segment, waiter + WAITER_STATE_OFFSET);
    }

    public static boolean casWaiterWord(MemorySegment segment, long waiter, int expected, int word) {
        return INT.compareAndSet(segment, waiter + WAITER_STATE_OFFSET, expected, word);
    }

    public static void putWaiterWordRelease(MemorySegment segment, long waiter, int word) {
        INT.setRelease(segment, waiter + WAITER_STATE_OFFSET, word);
    }

    public static int waiterPidAcquire(MemorySegment segment, long waiter) {
        return (int) INT.getAcquire(segment, waiter + WAITER_PID_OFFSET);
    }

    /** Publishes (or, with 0, withdraws) the owner: stored after its start time. */
    public static void putWaiterPidRelease(MemorySegment segment, long waiter, int pid) {
        INT.setRelease(segment, waiter + WAITER_PID_OFFSET, pid);
    }

    public static long waiterStartTimeAcquire(MemorySegment segment, long waiter) {
        return (long) LONG.getAcquire(segment, waiter + WAITER_START_TIME_OFFSET);
    }

    /** Plain: published by {@link #putWaiterPidRelease}. */
    public static void putWaiterStartTime(MemorySegment segment, long waiter, long startMillis) {
        LONG.set(segment, waiter + WAITER_START_TIME_OFFSET, startMillis);
    }
}
