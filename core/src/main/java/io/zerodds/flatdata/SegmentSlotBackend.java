package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;
import static io.zerodds.flatdata.SlotDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;

/**
 * The slot ring over a {@link MemorySegment} in {@link SegmentLayout}, shared by every backend
 * whose slots live in one flat memory region (in-process memory, a POSIX shared-memory object).
 * Subclasses supply only waiting and waking. The ring's reader registry (attach, detach, the
 * disconnect state machine) is a {@link ReaderRegistry}, its waiter table (only POSIX waits use
 * it) a {@link WaiterTable}; every word is loaded and stored through the descriptors
 * ({@link SegmentLayout}, {@link SlotDescriptor}, {@link ReaderEntryDescriptor}), which fix each
 * field's memory order.
 *
 * <h2>Publish protocol (writer)</h2>
 * <ol>
 *   <li>reserve: the slot's loan word (loan table) goes from even to odd, then the slot word
 *       (sequence lo32 and {@code sample_size}, one 64-bit word at +0x00) is stored with
 *       {@code sample_size = 0}, followed by a store-store fence: seqlock readers and reference
 *       consumers see an empty slot before any payload byte changes;</li>
 *   <li>the payload is written (in place, or copied by commitSlot);</li>
 *   <li>commit: the sequence hi32 (only when it changes), {@code reader_mask = 0}, the
 *       displaced sequence with a release store when the slot is not the one after the previous
 *       commit's (and at a writer's first commit), then the slot word with the new sequence lo32
 *       and size in one <b>release</b> store (this publishes the sample), the loan word back to
 *       even, then the 64-bit next sequence with a release store (and its low half into the
 *       reference's {@code next_sn}), then the notify generation is incremented.</li>
 * </ol>
 * <h2>Observe protocol (reader)</h2>
 * Load the slot word with acquire (size 0: skip), load the mask and the sequence hi32,
 * {@link VarHandle#acquireFence()}, load the slot word again: equal means the header is
 * consistent. A reader that expects sequence {@code q} and took {@code q - 1} from slot
 * {@code h - 1} probes slot {@code h}. When {@code q} is not there and the slot word does not
 * name it, the reader loads the displaced sequence with acquire: below {@code q} means {@code q}
 * was committed nowhere when the probe loaded the slot word (the writer stores the displaced
 * sequence before a commit anywhere else), so the answer is "nothing yet". Otherwise, and
 * without a probe, it loads the next sequence with acquire: {@code q < next} means the sample's
 * commit happened-before, so it is found in the ring (it cannot be recycled while unread). A view
 * read in place is validated the same way afterwards through {@link #slotSequence(int)}.
 *
 * <p>Everything a reader needs to accept the next sample (slot word, mask, first payload bytes)
 * is on the slot's first cache line, and everything the writer stores per sample outside that
 * line sits on lines readers do not poll: a hand-off costs one line transfer, not a chain.
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

    private static final byte LOAN_NONE = 0;
    private static final byte LOANED = 1;
    private static final byte COMMITTED = 2;
    private static final byte DISCARDED = 3;

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
    /** Address of the sequence-high table: {@link SlotDescriptor#sequenceHighAcquire} is on the reader's hot path. */
    private final long sequenceHighAt;
    /** Attach, detach and the disconnect state machine. */
    final ReaderRegistry readers;
    /** The table of processes blocked in a futex wait (POSIX). */
    final WaiterTable waiters;

    // writer-local state (one writer thread)
    private final byte[] loanState;
    /** Mirrors of the words only the writer stores (loan words, sequence hi32): no load on the hot path. */
    private final int[] loanWords;
    private final int[] sequenceHighs;
    private final MemorySegment[] writeViews;
    private int cursor;
    private long nextSequence;
    private boolean streamEnded;
    /** Whether we told readers (EXT_WRITER_STARVED) that our last reserve found no free slot. */
    private boolean starved;
    /** The slot after our last commit's: a commit anywhere else is announced as displaced. */
    private int inPlaceSlot = -1;

    // reader-local caches: each view is immutable (benign races); a hint belongs to one reader
    // index, which the contract gives to one thread at a time with a happens-before hand-over
    private final ReadViews readViews;
    /**
     * Per reader: the slot after the one its last sample came from, and the sequence it expects
     * there (-1 = no hint). The hint decides a "nothing yet" answer, so both words must be the
     * reader's own latest ones. 128 bytes apart: two readers never share a cache line, whatever
     * the array's alignment.
     */
    private final long[] readerHint = new long[MAX_READERS * HINT_STRIDE];
    private static final int HINT_STRIDE = 16;

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
        this.loanState = new byte[slotCount];
        this.loanWords = new int[slotCount];
        this.sequenceHighs = new int[slotCount];
        for (int slot = 0; slot < slotCount; slot++) {
            loanWords[slot] = loanWordAcquire(MEMORY, extAt, slot);
            sequenceHighs[slot] = sequenceHighAcquire(MEMORY, sequenceHighAt, slot);
        }
        this.writeViews = new MemorySegment[slotCount];
        this.readViews = new ReadViews(segment, slotCount);
        this.nextSequence = nextSequenceAcquire(MEMORY, extAt);
        this.streamEnded = endSequenceAcquire(MEMORY, extAt) >= 0;
        // a writer taking over after a crash clears its predecessor's flag at its first reserve
        this.starved = writerStarvedAcquire(MEMORY, extAt) != 0;
        for (int reader = 0; reader < MAX_READERS; reader++) {
            readerHint[reader * HINT_STRIDE + 1] = -1;
        }
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

    /** The header of {@code slot}, relative to {@link #base}. */
    private long header(int slot) {
        return slotOffset(slot, slotTotalSize);
    }

    /** The address of the header of {@code slot}. */
    private long slotAt(int slot) {
        return base + slotOffset(slot, slotTotalSize);
    }

    private long slotWord(int slot) {
        return slotWordAcquire(MEMORY, slotAt(slot));
    }

    private boolean isLoaned(int slot) {
        return (loanWordAcquire(MEMORY, extAt, slot) & 1) != 0;
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

    private void checkLoaned(int slot, String operation) {
        checkSlot(slot);
        byte state = loanState[slot];
        if (state == LOANED && isLoaned(slot)) {
            return;
        }
        String why = switch (state) {
            case COMMITTED -> "it was already committed";
            case DISCARDED -> "it was discarded";
            case LOANED -> "its loan was reclaimed";
            default -> "it is not loaned";
        };
        throw new SlotStateException("cannot " + operation + " slot " + slot + ": " + why
                + "; reserve a slot first (" + this + ")");
    }


    // ------------------------------------------------------------------ writer

    @Override
    public int reserveSlot(int activeReadersMask) {
        checkOpen();
        return reserve(activeReadersMask, true);
    }

    @Override
    public int reserveSlot() {
        checkOpen();
        return reserve(activeMask(), true);
    }

    @Override
    public int reserveSlotNoWait() {
        checkOpen();
        return reserve(activeMask(), false);
    }

    /** @param mayWait whether the caller waits for a free slot when this finds none */
    private int reserve(int activeReadersMask, boolean mayWait) {
        if (streamEnded) {
            throw new SlotStateException("cannot reserve a slot: the stream of " + this + " ended at sequence="
                    + nextSequence);
        }
        int slot = scan(activeReadersMask);
        if (slot == NO_FREE_SLOT && mayWait && !starved) {
            // Dekker with markRead: our flag store is ordered before the second scan's loads (full
            // fence), a reader's mask update before its flag load (volatile read-modify-write, then
            // volatile load): either the scan sees the freed slot, or the reader sees the flag and
            // moves the generation, which the caller's waitForChange then sees
            starved = true;
            putWriterStarvedVolatile(MEMORY, extAt, 1);
            VarHandle.fullFence();
            slot = scan(activeReadersMask);
        }
        if (slot != NO_FREE_SLOT && starved) {
            starved = false;
            putWriterStarvedRelease(MEMORY, extAt, 0);
        }
        return slot;
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
        int readers = activeMask();
        int free = 0;
        for (int slot = 0; slot < slotCount; slot++) {
            if ((loanWordAcquire(MEMORY, extAt, slot) & 1) != 0) {
                continue;
            }
            long h = slotAt(slot);
            if (wordSize(slotWordAcquire(MEMORY, h)) == 0) {
                free++;
                continue;
            }
            int missing = readers & ~slotMaskAcquire(MEMORY, h);
            if (missing == 0 || !wantedByAny(slot, missing)) {
                free++;
            }
        }
        return free;
    }

    /** Committed samples {@code reader} wants and has not marked read: its lag; a racing snapshot. */
    @Override
    public int unreadCount(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        if ((activeMask() & (1 << reader)) == 0) {
            return 0;
        }
        int unread = 0;
        for (int slot = 0; slot < slotCount; slot++) {
            long h = slotAt(slot);
            if (wordSize(slotWordAcquire(MEMORY, h)) != 0 && (slotMaskAcquire(MEMORY, h) & (1 << reader)) == 0
                    && wantedByAny(slot, 1 << reader)) {
                unread++;
            }
        }
        return unread;
    }

    private int scan(int activeReadersMask) {
        int n = slotCount;
        int start = cursor;
        for (int i = 0; i < n; i++) {
            int slot = start + i;
            if (slot >= n) {
                slot -= n;
            }
            if (isReusable(slot, activeReadersMask)) {
                loan(slot);
                cursor = slot + 1 == n ? 0 : slot + 1;
                return slot;
            }
        }
        return NO_FREE_SLOT;
    }

    private boolean isReusable(int slot, int readers) {
        if (loanState[slot] == LOANED) {
            return false; // only this writer loans (a takeover reclaims its predecessor's loans first)
        }
        long h = slotAt(slot);
        if (wordSize(slotWordAcquire(MEMORY, h)) == 0) {
            return true;
        }
        int missing = readers & ~slotMaskAcquire(MEMORY, h);
        if (missing == 0) {
            return true;
        }
        if (!wantedByAny(slot, missing)) {
            return true;
        }
        return reclaimStalledReaders(missing) && isReusable(slot, activeReaders() & readers);
    }

    /**
     * Whether any of {@code readers} (none of which has read the slot) wants the committed sample
     * in {@code slot}: a reader that attached after it was committed does not. Also called by a
     * reader right after its markRead, when only the writer could rewrite the slot, and would do
     * so only because it saw the slot free already.
     */
    private boolean wantedByAny(int slot, int readers) {
        long sequence = committedSequence(slot);
        for (int bits = readers; bits != 0; bits &= bits - 1) {
            int reader = Integer.numberOfTrailingZeros(bits);
            if (sequence >= readerStartSequenceAcquire(MEMORY, readerAt(reader))) {
                return true;
            }
        }
        return false;
    }

    /** The writer's view of a committed slot's sequence (no seqlock needed: only we rewrite it). */
    private long committedSequence(int slot) {
        int lo = wordSequenceLow(slotWord(slot));
        int hi = sequenceHighAcquire(MEMORY, sequenceHighAt, slot);
        return sequence(hi, lo);
    }

    private void loan(int slot) {
        putLoanWordOpaque(MEMORY, extAt, slot, ++loanWords[slot]);
        // seqlock writer: size 0 must be visible before any payload store; a store-store fence is
        // all that takes (a volatile store would add a full fence per loan)
        long h = slotAt(slot);
        putSlotWordOpaque(MEMORY, h, packWord(wordSequenceLow(SlotDescriptor.slotWord(MEMORY, h)), 0));
        VarHandle.storeStoreFence();
        loanState[slot] = LOANED;
    }

    @Override
    public long commitSlot(int slot, MemorySegment bytes) {
        checkOpen();
        checkLoaned(slot, "commit");
        long size = bytes.byteSize();
        SampleChecks.checkLength(size, capacity);
        MemorySegment.copy(bytes, 0, dataView(slot), 0, size);
        return publish(slot, (int) size);
    }

    @Override
    public long commitSlot(int slot, byte[] bytes, int offset, int length) {
        checkOpen();
        checkLoaned(slot, "commit");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        SampleChecks.checkLength(length, capacity);
        MemorySegment.copy(bytes, offset, dataView(slot), ValueLayout.JAVA_BYTE, 0, length);
        return publish(slot, length);
    }

    @Override
    public long commitInPlace(int slot, int length) {
        checkOpen();
        checkLoaned(slot, "commit");
        SampleChecks.checkLength(length, capacity);
        return publish(slot, length);
    }

    private long publish(int slot, int length) {
        long sequence = nextSequence;
        long h = slotAt(slot);
        int high = sequenceHigh(sequence);
        if (sequenceHighs[slot] != high) {
            // once per 2^32 samples: a line readers keep cached is stored only then
            sequenceHighs[slot] = high;
            putSequenceHigh(MEMORY, sequenceHighAt, slot, high);
        }
        putSlotMask(MEMORY, h, 0);
        if (slot != inPlaceSlot) {
            // a reader looks for this sample in the slot after its predecessor's; it reads this
            // line (which we store only here) to learn that it is elsewhere: store it first
            putDisplacedSequenceRelease(MEMORY, extAt, sequence);
        }
        inPlaceSlot = slot + 1 == slotCount ? 0 : slot + 1;
        // the one store that publishes the sample: sequence lo32 and size, on the polled line
        putSlotWordRelease(MEMORY, h, packWord((int) sequence, length));
        putLoanWordRelease(MEMORY, extAt, slot, ++loanWords[slot]);
        nextSequence = sequence + 1;
        counters.recordCommitted();
        putNextSequenceRelease(MEMORY, extAt, sequence + 1);
        putNextSnRelease(MEMORY, base, (int) (sequence + 1));
        loanState[slot] = COMMITTED;
        signalChange();
        return sequence;
    }

    @Override
    public void discardSlot(int slot) {
        checkOpen();
        checkLoaned(slot, "discard");
        putLoanWordRelease(MEMORY, extAt, slot, ++loanWords[slot]);
        loanState[slot] = DISCARDED;
        signalChange();
    }

    @Override
    public MemorySegment slotDataPtr(int slot) {
        checkOpen();
        checkLoaned(slot, "write into");
        return dataView(slot);
    }

    private MemorySegment dataView(int slot) {
        MemorySegment view = writeViews[slot];
        if (view == null) {
            view = segment.asSlice(payloadOffset(header(slot)), capacity);
            writeViews[slot] = view;
        }
        return view;
    }

    /**
     * Drops every loan this writer holds: used when a writer takes over after a crash. A loan
     * whose slot word already carries a size was committed (the writer died between the
     * publishing store and the loan word): its sample stays deliverable.
     */
    final int reclaimAllLoans() {
        int reclaimed = 0;
        for (int slot = 0; slot < slotCount; slot++) {
            int v = loanWordAcquire(MEMORY, extAt, slot);
            if ((v & 1) != 0) {
                if (wordSize(slotWord(slot)) == 0) {
                    reclaimed++;
                }
                loanWords[slot] = v + 1;
                putLoanWordRelease(MEMORY, extAt, slot, v + 1);
                loanState[slot] = LOAN_NONE;
            }
        }
        nextSequence = nextSequenceAcquire(MEMORY, extAt);
        if (reclaimed > 0) {
            signalChange();
        }
        return reclaimed;
    }

    @Override
    public void markEndOfStream() {
        checkOpen();
        for (int slot = 0; slot < slotCount; slot++) {
            if (loanState[slot] == LOANED) {
                throw new SlotStateException("cannot end the stream of " + this + ": slot " + slot
                        + " is still loaned; commit or discard it first (an open FlatWriter holds its next slot:"
                        + " end the stream with its endStream(), or close it first)");
            }
        }
        if (!streamEnded) {
            streamEnded = true;
            putEndSequenceRelease(MEMORY, extAt, nextSequence);
            signalChange();
        }
    }

    @Override
    public long endOfStreamSequence() {
        checkOpen();
        long end = endSequenceAcquire(MEMORY, extAt);
        return end < 0 ? OPEN_STREAM : end;
    }

    // ------------------------------------------------------------------ reader

    @Override
    public long slotSequence(int slot) {
        checkOpen();
        checkSlot(slot);
        // callers validate bytes they read in place before this call: keep those loads before ours
        VarHandle.acquireFence();
        return unreadSequence(slot, 0);
    }

    /**
     * The sequence of the committed sample in {@code slot} if none of {@code readerBits} is set
     * in its mask, else {@link #NO_SEQUENCE}; seqlock-validated.
     */
    private long unreadSequence(int slot, int readerBits) {
        long w1 = slotWord(slot);
        return wordSize(w1) == 0 ? NO_SEQUENCE : unreadSequence(slot, readerBits, w1);
    }

    /** {@link #unreadSequence(int, int)} for a slot word {@code w1} just loaded with acquire. */
    private long unreadSequence(int slot, int readerBits, long w1) {
        long h = slotAt(slot);
        int mask = slotMaskAcquire(MEMORY, h);
        int hi = sequenceHighAcquire(MEMORY, sequenceHighAt, slot);
        VarHandle.acquireFence();
        if (slotWordAcquire(MEMORY, h) != w1 || (mask & readerBits) != 0) {
            return NO_SEQUENCE;
        }
        return sequence(hi, wordSequenceLow(w1));
    }

    @Override
    public SlotSample readSlot(int slot) {
        checkOpen();
        checkSlot(slot);
        long h = slotAt(slot);
        while (true) {
            long w1 = slotWordAcquire(MEMORY, h);
            int mask = slotMaskAcquire(MEMORY, h);
            int size = wordSize(w1);
            if (size == 0) {
                return new SlotSample(NO_SEQUENCE, 0, mask, new byte[0]);
            }
            int hi = sequenceHighAcquire(MEMORY, sequenceHighAt, slot);
            byte[] data = new byte[Math.clamp(size, 0, capacity)];
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, payloadOffset(header(slot)), data, 0, data.length);
            VarHandle.acquireFence();
            if (slotWordAcquire(MEMORY, h) == w1) {
                return new SlotSample(sequence(hi, wordSequenceLow(w1)), size, mask, data);
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public MemorySegment slotReadPtr(int slot) {
        checkOpen();
        checkSlot(slot);
        return readViews.view(slot, payloadOffset(header(slot)), committedSize(slot));
    }

    @Override
    public MemorySegment slotReadArea(int slot) {
        checkOpen();
        checkSlot(slot);
        committedSize(slot);
        return readViews.area(slot, payloadOffset(header(slot)), capacity);
    }

    @Override
    public int slotReadSize(int slot) {
        checkOpen();
        checkSlot(slot);
        return committedSize(slot);
    }

    /** The committed sample size in the header of {@code slot}, validated. */
    private int committedSize(int slot) {
        // Header line only: a loan zeroes sample_size before any byte of the new sample is
        // written, so size 0 is "no committed sample"; a caller racing a recycle detects it
        // afterwards with slotSequence, as the contract says.
        return checkSampleSize(this, slot, slotSizeAcquire(MEMORY, slotAt(slot)), capacity, true);
    }

    @Override
    public int nextUnreadSlot(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        checkAttached(reader);
        long from = readerStartSequence(reader);
        int bit = 1 << reader;
        int best = NO_SLOT;
        long bestSequence = Long.MAX_VALUE;
        for (int slot = 0; slot < slotCount; slot++) {
            long sequence = unreadSequence(slot, bit);
            if (sequence != NO_SEQUENCE && sequence >= from && sequence < bestSequence) {
                best = slot;
                bestSequence = sequence;
            }
        }
        return best;
    }

    @Override
    public int nextUnreadSlot(int reader, long sequence) {
        checkOpen();
        checkReaderIndex(reader);
        // The slot after the one the previous sample came from usually holds the next sample:
        // probing it first costs the loads of that one slot (which a spinning reader then watches
        // directly). Its slot word is compared first; only a match pays for the rest of the
        // seqlock read (mask and sequence hi32, then the word again), so a hit is committed.
        int bit = 1 << reader;
        int h = reader * HINT_STRIDE;
        if (readerHint[h + 1] == sequence) {
            int hint = (int) readerHint[h];
            long w1 = slotWord(hint);
            if (wordSequenceLow(w1) == (int) sequence && wordSize(w1) != 0) {
                if (unreadSequence(hint, bit, w1) == sequence) {
                    // a disconnected reader's bit protects nothing: samples committed after the
                    // disconnect look unread to it (the commit clears the mask) but may be recycled
                    checkAttached(reader);
                    hint(reader, hint, sequence);
                    return hint;
                }
                // there but being rewritten, or marked read already: the full search sorts it out
            } else if (displacedSequenceAcquire(MEMORY, extAt) < sequence) {
                // Not there. The writer stores the displaced sequence before it commits a sample
                // anywhere else, so an older value means `sequence` was committed nowhere when we
                // loaded the slot word (a caller that read the generation before us will see the
                // commit's change). A spinning reader so polls one line, which only the commit it
                // waits for stores to, not the next-sequence line every commit stores to.
                checkAttached(reader);
                return NO_SLOT;
            }
        }
        return findUnread(reader, bit, sequence);
    }

    /** nextUnreadSlot(reader, sequence) off the fast path: the sample is not where it was expected. */
    private int findUnread(int reader, int bit, long sequence) {
        long next = nextSequenceAcquire(MEMORY, extAt);
        if (sequence >= next) {
            checkAttached(reader);
            return NO_SLOT;
        }
        for (int slot = 0; slot < slotCount; slot++) {
            if (unreadSequence(slot, bit) == sequence) {
                checkAttached(reader);
                hint(reader, slot, sequence);
                return slot;
            }
        }
        checkAttached(reader);
        long start = readerStartSequence(reader);
        if (sequence < start) {
            throw new IllegalArgumentException("sequence=" + sequence + " precedes reader " + reader
                    + "'s start sequence=" + start);
        }
        // committed, and an attached reader's unread samples cannot be recycled: it was read already
        throw new IllegalStateException("sample sequence=" + sequence + " is no longer unread by reader "
                + reader + " in " + this + " (marked read twice?)");
    }

    /** Remembers that {@code sequence} came from {@code slot}: the next is looked for after it. */
    private void hint(int reader, int slot, long sequence) {
        int h = reader * HINT_STRIDE;
        readerHint[h] = slot + 1 == slotCount ? 0 : slot + 1;
        readerHint[h + 1] = sequence + 1;
    }

    /** Forgets {@code reader}'s hint: a reader that (re)attaches starts with a full search. */
    final void forgetHint(int reader) {
        readerHint[reader * HINT_STRIDE + 1] = -1;
    }

    @Override
    public void markRead(int slot, int reader) {
        checkOpen();
        checkSlot(slot);
        checkReaderIndex(reader);
        int bit = 1 << reader;
        int old = orSlotMask(MEMORY, slotAt(slot), bit);
        if ((old & bit) == 0) {
            counters.recordTaken(reader);
            // the slot is free now unless an active reader that wants it has not read it yet
            int missing = activeMask() & ~(old | bit);
            // only a writer whose last reserve found the ring full waits for a free slot: with
            // none, a slot-free event stays off the notify word's cache line (see reserveSlot)
            if (writerStarvedVolatile(MEMORY, extAt) != 0
                    && (missing == 0 || !wantedByAny(slot, missing))) {
                signalChange();
            }
        }
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

    final void checkAttached(int reader) {
        int state = readerState(reader);
        if (state == READER_DISCONNECTED || state == READER_DISCONNECTING) {
            throw new ReaderDisconnectedException(reader, toString());
        }
        if (state != READER_ATTACHED) {
            throw new IllegalStateException("reader index=" + reader + " is not attached to " + this);
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

    @Override
    public int activeReaders() {
        checkOpen();
        return activeMask();
    }

    final int activeMask() {
        return activeMaskAcquire(MEMORY, extAt);
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
