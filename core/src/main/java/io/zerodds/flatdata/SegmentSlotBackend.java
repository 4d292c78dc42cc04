package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;
import static io.zerodds.flatdata.SlotDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The slot ring over a {@link MemorySegment} in {@link SegmentLayout}, shared by every backend
 * whose slots live in one flat memory region (in-process memory, a POSIX shared-memory object).
 * Subclasses supply only waiting and waking. The ring is taken apart by protocol, each part
 * working on memory it does not own through the descriptors' accessors, which fix each field's
 * memory order:
 * <ul>
 *   <li>{@link SlotWriter}, the writer half: reserve, commit (the slot word as seqlock), discard,
 *       end of stream, and the state only the writer keeps;</li>
 *   <li>{@link SlotReader}, the reader half: the seqlock read, the in-order search for a reader's
 *       next sample, mark read (both halves copy the geometry and addresses into final fields of
 *       their own, {@link SlotRingHalf});</li>
 *   <li>{@link ReaderRegistry}: attach, detach, the disconnect state machine;</li>
 *   <li>{@link WaiterTable}: the processes blocked in a futex wait (only POSIX waits use it).</li>
 * </ul>
 * This class holds the geometry and the addresses, checks that the ring is open and the indices
 * at every public entry point, then calls into the part; and it keeps what the parts share: the
 * change generation and its signal, the active mask, whether a reader wants a committed sample.
 *
 * <h2>Memory access</h2>
 * The ring's words are loaded and stored at absolute addresses ({@link #base} + offset) through
 * {@link #MEMORY}, one segment over all of the process's memory, with {@link SegmentLayout}'s
 * static accessors. Held in a static final field, it lets the JIT compile an access to a plain
 * load or store: an access through the ring's own segment checks bounds and the arena's liveness
 * again after every acquire or release (they are compiler barriers), which took a quarter of a
 * loan, commit, take and release. Three things keep it as safe as the checked segment:
 * <ul>
 *   <li>every offset comes from the geometry the segment was validated against and from slot
 *       and reader indices checked at the public entry points;</li>
 *   <li>the memory at {@link #base} stays mapped while this object is reachable: {@link #mapping}
 *       is the segment that owns it, and a file mapping that is closed has its pages replaced by
 *       zero pages, never unmapped, until the garbage collector frees it (see
 *       {@code SegmentMapping}); a thread racing {@code close()} so reads zeros, it never faults;</li>
 *   <li>a file truncated under the mapping raises SIGBUS in the access, which HotSpot turns into
 *       an {@link InternalError} as it does for a checked segment.</li>
 * </ul>
 * What users hold ({@link #slotDataPtr}, {@link #slotReadPtr}) are slices of the checked
 * {@link #segment}, which fail after {@code close()}.
 */
abstract class SegmentSlotBackend implements SlotBackend {

    /** This process's counts for this ring (see {@link RingCounters}). */
    final RingCounters counters = new RingCounters();

    /** All memory, with the global scope: accesses through it are compiled without checks. */
    @SuppressWarnings("restricted") // native access is granted with --enable-native-access, as documented
    static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** The ring's bytes as users see them: slices of it are handed out, and fail after close. */
    final MemorySegment segment;
    /** Address of the ring's first byte: {@link #MEMORY} at {@code base + offset} is the ring's word. */
    final long base;
    /** The segment that owns the memory at {@link #base}: while it is reachable, the memory is mapped. */
    private final MemorySegment mapping;
    final int slotCount;
    final int slotTotalSize;
    final int capacity;
    /** The extension region, relative to {@link #base}. */
    final long ext;
    /** Address of the extension region: {@code base + ext}. */
    private final long extAt;
    /** Address of the sequence-high table. */
    private final long sequenceHighAt;
    /** Reserve, commit, discard, end of stream: the one writer thread's half. */
    private final SlotWriter slotWriter;
    /** Observe, take, mark read: the readers' half. */
    private final SlotReader slotReader;
    /** Attach, detach and the disconnect state machine. */
    final ReaderRegistry readers;
    /** The table of processes blocked in a futex wait (POSIX). */
    final WaiterTable waiters;

    private volatile boolean closed;

    /**
     * @param segment the ring's bytes as handed to users (slices of it)
     * @param mapping the segment that owns the same bytes and keeps them mapped while reachable
     *                (the same segment when closing it does not unmap them early)
     */
    SegmentSlotBackend(MemorySegment segment, MemorySegment mapping, int slotCount, int capacity) {
        if (segment.address() != mapping.address() || segment.byteSize() != mapping.byteSize()
                || segment.byteSize() < segmentSize(slotCount, capacity)) {
            throw new IllegalArgumentException("ring segment " + segment + " and mapping " + mapping
                    + " must be the same bytes, at least " + segmentSize(slotCount, capacity));
        }
        this.segment = segment;
        this.mapping = mapping;
        this.base = segment.address();
        this.slotCount = slotCount;
        this.capacity = capacity;
        this.slotTotalSize = SegmentLayout.slotTotalSize(capacity);
        this.ext = extensionOffset(slotCount, slotTotalSize);
        this.extAt = base + ext;
        this.sequenceHighAt = extAt + sequenceHighTableOffset(slotCount);
        this.slotWriter = new SlotWriter(this);
        this.slotReader = new SlotReader(this);
        this.readers = new ReaderRegistry(this);
        this.waiters = new WaiterTable(MEMORY, extAt);
    }

    // ------------------------------------------------------------------ hooks

    /** Wakes every thread or process blocked in {@link #waitForChange(long, long)}. */
    abstract void wakeWaiters();

    /** Short name for messages, e.g. {@code in-memory ring[slots=16, capacity=256]}. */
    @Override
    public abstract String toString();

    /**
     * Called by reserveSlot when a slot is held back only by readers in {@code missing}: a
     * backend that can tell dead readers from slow ones disconnects the dead ones and returns
     * true to have the slot checked again.
     */
    boolean reclaimStalledReaders(int missing) {
        return false;
    }

    // ------------------------------------------------------------------ offsets

    /** The address of the header of {@code slot}. */
    private long slotAt(int slot) {
        return base + slotOffset(slot, slotTotalSize);
    }

    /** Reader entry {@code reader}, relative to {@link #base} (to {@link #segment}'s start). */
    final long readerEntry(int reader) {
        return readerEntryOffset(ext, reader);
    }

    /** The address of reader entry {@code reader}. */
    private long readerAt(int reader) {
        return readerEntryOffset(extAt, reader);
    }

    // ------------------------------------------------------------------ checks

    final void checkOpen() {
        if (closed) {
            throw new BackendClosedException(toString());
        }
    }

    final void checkSlot(int slot) {
        if (slot < 0 || slot >= slotCount) {
            throw new IndexOutOfBoundsException("slot=" + slot + " outside [0, " + slotCount + ")");
        }
    }

    // ------------------------------------------------------------------ writer (see SlotWriter)

    @Override
    public int reserveSlot(int activeReadersMask) {
        checkOpen();
        return slotWriter.reserve(activeReadersMask | notAttached(activeMask() & ~activeReadersMask), true);
    }

    @Override
    public int reserveSlot() {
        checkOpen();
        return slotWriter.reserve(activeMask(), true);
    }

    @Override
    public int reserveSlotNoWait() {
        checkOpen();
        return slotWriter.reserve(activeMask(), false);
    }

    /** This process's counts for this ring. */
    @Override
    public RingCounters counters() {
        return counters;
    }

    /**
     * Slots a writer could loan now for the readers attached now, by the same test a reservation
     * makes (a slot loaned by the writer of any process, as its loan word says, is not free); a
     * snapshot that races with writer and readers.
     */
    @Override
    public int freeSlotCount() {
        checkOpen();
        return slotWriter.freeSlotCount();
    }

    @Override
    public long commitSlot(int slot, MemorySegment bytes) {
        checkOpen();
        return slotWriter.commitSlot(slot, bytes);
    }

    @Override
    public long commitSlot(int slot, byte[] bytes, int offset, int length) {
        checkOpen();
        return slotWriter.commitSlot(slot, bytes, offset, length);
    }

    @Override
    public long commitInPlace(int slot, int length) {
        checkOpen();
        return slotWriter.commitInPlace(slot, length);
    }

    @Override
    public void discardSlot(int slot) {
        checkOpen();
        slotWriter.discardSlot(slot);
    }

    @Override
    public MemorySegment slotDataPtr(int slot) {
        checkOpen();
        return slotWriter.slotDataPtr(slot);
    }

    /** {@link SlotWriter#reclaimAllLoans()}: a writer that takes over drops its predecessor's loans. */
    final int reclaimAllLoans() {
        return slotWriter.reclaimAllLoans();
    }

    @Override
    public void markEndOfStream() {
        checkOpen();
        slotWriter.markEndOfStream();
    }

    @Override
    public long endOfStreamSequence() {
        checkOpen();
        return slotWriter.endOfStreamSequence();
    }

    // ------------------------------------------------------------------ reader (see SlotReader)

    @Override
    public long slotSequence(int slot) {
        checkOpen();
        checkSlot(slot);
        return slotReader.slotSequence(slot);
    }

    @Override
    public SlotSample readSlot(int slot) {
        checkOpen();
        checkSlot(slot);
        return slotReader.readSlot(slot);
    }

    @Override
    public MemorySegment slotReadPtr(int slot) {
        checkOpen();
        checkSlot(slot);
        return slotReader.slotReadPtr(slot);
    }

    @Override
    public MemorySegment slotReadArea(int slot) {
        checkOpen();
        checkSlot(slot);
        return slotReader.slotReadArea(slot);
    }

    @Override
    public int slotReadSize(int slot) {
        checkOpen();
        checkSlot(slot);
        return slotReader.committedSize(slot);
    }

    /** Committed samples {@code reader} wants and has not marked read: its lag; a racing snapshot. */
    @Override
    public int unreadCount(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        return slotReader.unreadCount(reader);
    }

    @Override
    public int nextUnreadSlot(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        return slotReader.nextUnreadSlot(reader);
    }

    @Override
    public int nextUnreadSlot(int reader, long sequence) {
        checkOpen();
        checkReaderIndex(reader);
        return slotReader.nextUnreadSlot(reader, sequence);
    }

    @Override
    public void markRead(int slot, int reader) {
        checkOpen();
        checkSlot(slot);
        checkReaderIndex(reader);
        slotReader.markRead(slot, reader);
    }

    /** Forgets {@code reader}'s hint: a reader that (re)attaches starts with a full search. */
    final void forgetHint(int reader) {
        slotReader.forgetHint(reader);
    }

    // ------------------------------------------------------------------ shared by both halves

    /**
     * Whether any of {@code readers} (none of which has read the slot) wants the committed sample
     * in {@code slot}: a reader that attached after it was committed does not. Asked by the
     * writer, and by a reader right after its markRead, when only the writer could rewrite the
     * slot, and would do so only because it saw the slot free already.
     */
    final boolean wantedByAny(int slot, int readers) {
        long sequence = committedSequence(slot);
        for (int bits = readers; bits != 0; bits &= bits - 1) {
            int reader = Integer.numberOfTrailingZeros(bits);
            if (sequence >= readerStartSequenceAcquire(MEMORY, readerAt(reader))) {
                return true;
            }
        }
        return false;
    }

    /** The writer's view of a committed slot's sequence (no seqlock needed: only it rewrites the slot). */
    private long committedSequence(int slot) {
        int lo = wordSequenceLow(slotWordAcquire(MEMORY, slotAt(slot)));
        int hi = sequenceHighAcquire(MEMORY, sequenceHighAt, slot);
        return sequence(hi, lo);
    }

    /** Sets {@code bit} in every slot's reader mask: a disconnected reader protects no slot. */
    final void setBitOnEverySlot(int bit) {
        for (int slot = 0; slot < slotCount; slot++) {
            orSlotMask(MEMORY, slotAt(slot), bit);
        }
    }

    /** Clears {@code bit} in every slot's reader mask: an attach, before the writer sees the reader. */
    final void clearBitOnEverySlot(int bit) {
        for (int slot = 0; slot < slotCount; slot++) {
            clearSlotMask(MEMORY, slotAt(slot), bit);
        }
    }

    final int readerState(int reader) {
        return readerStateAcquire(MEMORY, readerAt(reader));
    }

    // ------------------------------------------------------------------ registry

    @Override
    public int attachReader() {
        checkOpen();
        return readers.attach();
    }

    @Override
    public int attachReader(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        return readers.attach(reader);
    }

    @Override
    public void detachReader(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        readers.takeDisconnect(reader, true);
    }

    @Override
    public void markReaderDisconnected(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        readers.takeDisconnect(reader, false);
    }

    /**
     * The readers whose attach has completed. A reader joins the internal active mask before it
     * fixes its start sequence (so that no slot it may want is recycled meanwhile), and shows
     * here only once its entry is attached, after its start is fixed: a writer that sees a
     * reader's bit here and then commits a sample knows the reader receives it.
     */
    @Override
    public int activeReaders() {
        checkOpen();
        int mask = activeMask();
        return mask & ~notAttached(mask);
    }

    /** The active mask as the writer's reservations protect it: readers still attaching included. */
    final int activeMask() {
        return activeMaskAcquire(MEMORY, extAt);
    }

    /**
     * The readers among {@code candidates} whose entry is not attached (attaching, or being
     * disconnected). An explicit {@link #reserveSlot(int)} with a mask from {@link #activeReaders()}
     * protects those in the active mask too, as {@link #reserveSlot()} does.
     */
    private int notAttached(int candidates) {
        int pending = 0;
        for (int bits = candidates; bits != 0; bits &= bits - 1) {
            int reader = Integer.numberOfTrailingZeros(bits);
            if (readerState(reader) != READER_ATTACHED) {
                pending |= 1 << reader;
            }
        }
        return pending;
    }

    @Override
    public long readerStartSequence(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        return readerStartSequenceAcquire(MEMORY, readerAt(reader));
    }

    // ------------------------------------------------------------------ geometry

    @Override
    public int slotCount() {
        return slotCount;
    }

    @Override
    public int slotTotalSize() {
        return slotTotalSize;
    }

    @Override
    public int slotCapacity() {
        return capacity;
    }

    @Override
    public Optional<byte[]> typeHash() {
        checkOpen();
        if (flagsAcquire(MEMORY, extAt) == 0) {
            return Optional.empty();
        }
        byte[] hash = new byte[TYPE_HASH_LENGTH];
        copyTypeHash(segment, ext, hash);
        return Optional.of(hash);
    }

    // ------------------------------------------------------------------ notify

    @Override
    public long notifyGeneration() {
        checkOpen();
        return generation() & 0xFFFF_FFFFL;
    }

    final int generation() {
        return notifyVolatile(MEMORY, base);
    }

    /** {@inheritDoc} */
    @Override
    public void wakeAll() {
        if (!closed) {
            signalChange();
        }
    }

    /**
     * Wake on every change, not only when a waiter is marked: for readers that park on the notify
     * word without marking themselves (the reference's consumers). Set before the ring is shared.
     */
    final void wakeOnEveryChange() {
        this.wakeOnEveryChange = true;
    }

    private boolean wakeOnEveryChange;

    /** Bumps the generation; wakes waiters only when someone waits (no system call otherwise). */
    final void signalChange() {
        incrementNotify(MEMORY, base);
        // both words share a line that only waiters store to
        if (wakeOnEveryChange
                || waitingMaskVolatile(MEMORY, extAt) != 0
                || anonymousWaitersVolatile(MEMORY, extAt) != 0) {
            wakeWaiters();
        }
    }

    /** Counts a waiter that has no entry in the waiter table (a count cannot be repaired). */
    final void addWaiter(int delta) {
        addAnonymousWaiters(MEMORY, extAt, delta);
    }

    /** The anonymous waiter count (tests). */
    final int anonymousWaiters() {
        return anonymousWaitersVolatile(MEMORY, extAt);
    }

    // ------------------------------------------------------------------ waiter table (see WaiterTable)

    /** {@link WaiterTable#claim()}. */
    final int claimWaiterEntry() {
        return waiters.claim();
    }

    /** {@link WaiterTable#markWaiting(int)}. */
    final void markWaiting(int entry) {
        waiters.markWaiting(entry);
    }

    /** {@link WaiterTable#release(int)}. */
    final void releaseWaiterEntry(int entry) {
        waiters.release(entry);
    }

    /** {@link WaiterTable#reclaimDead}. */
    final int reclaimDeadWaiters(java.util.function.BiPredicate<Integer, Long> isAlive) {
        return waiters.reclaimDead(isAlive);
    }

    /** The waiting mask (tests: nobody is left marked waiting). */
    final long waitingMask() {
        return waiters.waitingMask();
    }

    static void checkTimeout(long timeoutNanos) {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout=" + timeoutNanos + "ns must not be negative");
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Marks the ring closed and wakes every waiter; returns false when it was closed already. */
    final boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        incrementNotify(MEMORY, base);
        wakeWaiters();
        return true;
    }
}
