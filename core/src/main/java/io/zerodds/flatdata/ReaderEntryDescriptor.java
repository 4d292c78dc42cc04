package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The descriptor of one reader registry entry: its fields, its states, the packing of its
 * disconnector word, and the one way each field is loaded and stored. The registry is
 * {@link SegmentLayout#MAX_READERS} such entries in the extension region, one cache line each
 * ({@link SegmentLayout#readerEntryOffset}); the transitions between the states are
 * {@code ReaderRegistry}'s.
 *
 * <pre>
 * reader entry (64 bytes, one cache line)
 * +0  u32 state | +4 u32 epoch | +8 u32 pid | +12 u32 0 | +16 u64 start time (epoch ms)
 * +24 u64 heartbeat (epoch ms) | +32 u64 start sequence
 * +40 u64 disconnector while state is disconnecting (pid &lt;&lt; 32 | start time in s) | rest 0
 * </pre>
 *
 * <p>An entry is free, attaching ({@link #READER_CLAIMED}), attached, disconnecting
 * ({@link #READER_DISCONNECTING}) or disconnected. Its owner (start time and heartbeat, then the
 * pid with a release store) is published after the claim; the epoch counts attaches, so a lease
 * that watched one owner is not fooled by the next.
 *
 * <h2>Accessors and memory order</h2>
 * Each accessor takes the segment and the offset, within it, of the entry ({@code entry},
 * {@link SegmentLayout#readerEntryOffset}); a caller that addresses all memory with one unchecked
 * segment passes the ring's address plus the offset. The suffixes name the memory order as in
 * {@link SegmentLayout}:
 * <table>
 *   <caption>Fields and the orders they are accessed with</caption>
 *   <tr><th>field</th><th>loads</th><th>stores</th></tr>
 *   <tr><td>state</td><td>acquire</td><td>compare-and-set, volatile</td></tr>
 *   <tr><td>pid</td><td>acquire</td><td>release, after the start time (plain)</td></tr>
 *   <tr><td>start time</td><td>acquire</td><td>plain, published by the pid's release</td></tr>
 *   <tr><td>epoch</td><td>acquire</td><td>atomic increment</td></tr>
 *   <tr><td>heartbeat</td><td>acquire</td><td>plain at attach, release by the lease thread</td></tr>
 *   <tr><td>start sequence</td><td>acquire</td><td>volatile</td></tr>
 *   <tr><td>disconnector</td><td>acquire</td><td>release, compare-and-set</td></tr>
 * </table>
 * The accessors are static and allocate nothing: the JIT compiles each to the one load or store.
 */
public final class ReaderEntryDescriptor {
    private ReaderEntryDescriptor() {
    }

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    // ---- fields, relative to the entry ----
    public static final long READER_ENTRY_SIZE = SegmentLayout.CACHE_LINE;
    public static final long READER_STATE_OFFSET = 0;
    public static final long READER_EPOCH_OFFSET = READER_STATE_OFFSET + 4;
    public static final long READER_PID_OFFSET = READER_EPOCH_OFFSET + 4;
    public static final long READER_START_TIME_OFFSET = READER_PID_OFFSET + 8;
    public static final long READER_HEARTBEAT_OFFSET = READER_START_TIME_OFFSET + 8;
    public static final long READER_START_SEQUENCE_OFFSET = READER_HEARTBEAT_OFFSET + 8;
    /** Who disconnects the entry right now: {@link #disconnector} packing (0 = nobody). */
    public static final long READER_DISCONNECTOR_OFFSET = READER_START_SEQUENCE_OFFSET + 8;

    // ---- states ----
    public static final int READER_FREE = 0;
    public static final int READER_ATTACHED = 1;
    public static final int READER_DISCONNECTED = 2;
    /** Lease-independent state of a registry entry while an attach is in progress. */
    public static final int READER_CLAIMED = 3;
    /**
     * A disconnect (or a detach) is in progress, by the one party that won this state: the entry
     * cannot be freed, so its index cannot be attached again, until that party is done. The
     * entry's disconnector word names it, so a process that died mid-way is taken over. The
     * highest registry state.
     */
    public static final int READER_DISCONNECTING = 4;

    /** Whether {@code state} is a registry state ({@link #READER_FREE} .. {@link #READER_DISCONNECTING}). */
    public static boolean isReaderState(int state) {
        return state >= READER_FREE && state <= READER_DISCONNECTING;
    }

    // ================================================================== disconnector packing

    /** A disconnector word: pid in the high half, start time in epoch seconds below. */
    public static long disconnector(int pid, long startMillis) {
        return (long) pid << 32 | (startMillis / 1000 & 0xFFFF_FFFFL);
    }

    public static int disconnectorPid(long disconnector) {
        return (int) (disconnector >>> 32);
    }

    /** The start time a disconnector word names, in epoch ms (whole seconds). */
    public static long disconnectorStartMillis(long disconnector) {
        return (disconnector & 0xFFFF_FFFFL) * 1000;
    }

    // ================================================================== accessors

    public static int readerStateAcquire(MemorySegment segment, long entry) {
        return (int) INT.getAcquire(segment, entry + READER_STATE_OFFSET);
    }

    public static boolean casReaderState(MemorySegment segment, long entry, int expected, int state) {
        return INT.compareAndSet(segment, entry + READER_STATE_OFFSET, expected, state);
    }

    public static void putReaderStateVolatile(MemorySegment segment, long entry, int state) {
        INT.setVolatile(segment, entry + READER_STATE_OFFSET, state);
    }

    public static int readerEpochAcquire(MemorySegment segment, long entry) {
        return (int) INT.getAcquire(segment, entry + READER_EPOCH_OFFSET);
    }

    public static void incrementReaderEpoch(MemorySegment segment, long entry) {
        INT.getAndAdd(segment, entry + READER_EPOCH_OFFSET, 1);
    }

    public static int readerPidAcquire(MemorySegment segment, long entry) {
        return (int) INT.getAcquire(segment, entry + READER_PID_OFFSET);
    }

    /** Publishes the owner: stored after its start time, so whoever reads the pid reads that too. */
    public static void putReaderPidRelease(MemorySegment segment, long entry, int pid) {
        INT.setRelease(segment, entry + READER_PID_OFFSET, pid);
    }

    public static long readerStartTimeAcquire(MemorySegment segment, long entry) {
        return (long) LONG.getAcquire(segment, entry + READER_START_TIME_OFFSET);
    }

    /** Plain: published by {@link #putReaderPidRelease}. */
    public static void putReaderStartTime(MemorySegment segment, long entry, long startMillis) {
        LONG.set(segment, entry + READER_START_TIME_OFFSET, startMillis);
    }

    public static long readerHeartbeatAcquire(MemorySegment segment, long entry) {
        return (long) LONG.getAcquire(segment, entry + READER_HEARTBEAT_OFFSET);
    }

    /** Plain, at attach: published by {@link #putReaderPidRelease}. */
    public static void putReaderHeartbeat(MemorySegment segment, long entry, long heartbeatMillis) {
        LONG.set(segment, entry + READER_HEARTBEAT_OFFSET, heartbeatMillis);
    }

    public static void putReaderHeartbeatRelease(MemorySegment segment, long entry, long heartbeatMillis) {
        LONG.setRelease(segment, entry + READER_HEARTBEAT_OFFSET, heartbeatMillis);
    }

    public static long readerStartSequenceAcquire(MemorySegment segment, long entry) {
        return (long) LONG.getAcquire(segment, entry + READER_START_SEQUENCE_OFFSET);
    }

    public static void putReaderStartSequenceVolatile(MemorySegment segment, long entry, long start) {
        LONG.setVolatile(segment, entry + READER_START_SEQUENCE_OFFSET, start);
    }

    public static long readerDisconnectorAcquire(MemorySegment segment, long entry) {
        return (long) LONG.getAcquire(segment, entry + READER_DISCONNECTOR_OFFSET);
    }

    public static void putReaderDisconnectorRelease(MemorySegment segment, long entry, long disconnector) {
        LONG.setRelease(segment, entry + READER_DISCONNECTOR_OFFSET, disconnector);
    }

    public static boolean casReaderDisconnector(MemorySegment segment, long entry, long expected, long disconnector) {
        return LONG.compareAndSet(segment, entry + READER_DISCONNECTOR_OFFSET, expected, disconnector);
    }
}
