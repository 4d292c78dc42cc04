package io.zerodds.flatdata;

import static io.zerodds.flatdata.SegmentLayout.*;
import static io.zerodds.flatdata.SlotBackend.NO_FREE_SLOT;
import static io.zerodds.flatdata.SlotBackend.OPEN_STREAM;
import static io.zerodds.flatdata.SlotDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The writer half of a {@link SegmentSlotBackend}: the publish protocol, and the state only the
 * one writer thread keeps (what it loaned, the mirrors of the words only it stores, its cursor and
 * next sequence). It works on the ring's memory through {@link SegmentSlotBackend#MEMORY} and the
 * descriptors' accessors, as the ring does; the ring checks that it is open, then calls in.
 *
 * <h2>Publish protocol</h2>
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
 * A reserve that finds no free slot, and may wait, sets the writer-starved flag and scans once
 * more (a Dekker with {@link SlotReader#markRead}): only a starved writer is signalled when a
 * reader frees a slot.
 */
final class SlotWriter extends SlotRingHalf {
    private static final byte LOAN_NONE = 0;
    private static final byte LOANED = 1;
    private static final byte COMMITTED = 2;
    private static final byte DISCARDED = 3;

    private final MemorySegment segment;
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

    /** The writer half of {@code ring}, whose geometry is set; reads what a previous writer left. */
    SlotWriter(SegmentSlotBackend ring) {
        super(ring);
        this.segment = ring.segment;
        this.loanState = new byte[slotCount];
        this.loanWords = new int[slotCount];
        this.sequenceHighs = new int[slotCount];
        for (int slot = 0; slot < slotCount; slot++) {
            loanWords[slot] = loanWordAcquire(MEMORY, extAt, slot);
            sequenceHighs[slot] = sequenceHighAcquire(MEMORY, sequenceHighAt, slot);
        }
        this.writeViews = new MemorySegment[slotCount];
        this.nextSequence = nextSequenceAcquire(MEMORY, extAt);
        this.streamEnded = endSequenceAcquire(MEMORY, extAt) >= 0;
        // a writer taking over after a crash clears its predecessor's flag at its first reserve
        this.starved = writerStarvedAcquire(MEMORY, extAt) != 0;
    }

    private void checkLoaned(int slot, String operation) {
        ring.checkSlot(slot);
        byte state = loanState[slot];
        if (state == LOANED && (loanWordAcquire(MEMORY, extAt, slot) & 1) != 0) {
            return;
        }
        String why = switch (state) {
            case COMMITTED -> "it was already committed";
            case DISCARDED -> "it was discarded";
            case LOANED -> "its loan was reclaimed";
            default -> "it is not loaned";
        };
        throw new SlotStateException("cannot " + operation + " slot " + slot + ": " + why
                + "; reserve a slot first (" + ring + ")");
    }

    // ------------------------------------------------------------------ reserve

    /** @param mayWait whether the caller waits for a free slot when this finds none */
    int reserve(int activeReadersMask, boolean mayWait) {
        if (streamEnded) {
            throw new SlotStateException("cannot reserve a slot: the stream of " + ring + " ended at sequence="
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

    /** {@link SegmentSlotBackend#freeSlotCount()}: slots a reservation would find free now. */
    int freeSlotCount() {
        int readers = ring.activeMask();
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
            if (missing == 0 || !ring.wantedByAny(slot, missing)) {
                free++;
            }
        }
        return free;
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
        if (!ring.wantedByAny(slot, missing)) {
            return true;
        }
        return ring.reclaimStalledReaders(missing) && isReusable(slot, ring.activeMask() & readers);
    }

    private void loan(int slot) {
        putLoanWordOpaque(MEMORY, extAt, slot, ++loanWords[slot]);
        // seqlock writer: size 0 must be visible before any payload store; a store-store fence is
        // all that takes (a volatile store would add a full fence per loan)
        long h = slotAt(slot);
        putSlotWordOpaque(MEMORY, h, packWord(wordSequenceLow(slotWord(MEMORY, h)), 0));
        VarHandle.storeStoreFence();
        loanState[slot] = LOANED;
    }

    // ------------------------------------------------------------------ commit, discard

    long commitSlot(int slot, MemorySegment bytes) {
        checkLoaned(slot, "commit");
        long size = bytes.byteSize();
        SampleChecks.checkLength(size, capacity);
        MemorySegment.copy(bytes, 0, dataView(slot), 0, size);
        return publish(slot, (int) size);
    }

    long commitSlot(int slot, byte[] bytes, int offset, int length) {
        checkLoaned(slot, "commit");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        SampleChecks.checkLength(length, capacity);
        MemorySegment.copy(bytes, offset, dataView(slot), ValueLayout.JAVA_BYTE, 0, length);
        return publish(slot, length);
    }

    long commitInPlace(int slot, int length) {
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
        ring.signalChange();
        return sequence;
    }

    void discardSlot(int slot) {
        checkLoaned(slot, "discard");
        putLoanWordRelease(MEMORY, extAt, slot, ++loanWords[slot]);
        loanState[slot] = DISCARDED;
        ring.signalChange();
    }

    MemorySegment slotDataPtr(int slot) {
        checkLoaned(slot, "write into");
        return dataView(slot);
    }

    private MemorySegment dataView(int slot) {
        MemorySegment view = writeViews[slot];
        if (view == null) {
            view = segment.asSlice(payloadOffset(slotOffset(slot, slotTotalSize)), capacity);
            writeViews[slot] = view;
        }
        return view;
    }

    /**
     * Drops every loan this writer holds: used when a writer takes over after a crash. A loan
     * whose slot word already carries a size was committed (the writer died between the
     * publishing store and the loan word): its sample stays deliverable.
     */
    int reclaimAllLoans() {
        int reclaimed = 0;
        for (int slot = 0; slot < slotCount; slot++) {
            int v = loanWordAcquire(MEMORY, extAt, slot);
            if ((v & 1) != 0) {
                if (wordSize(slotWordAcquire(MEMORY, slotAt(slot))) == 0) {
                    reclaimed++;
                }
                loanWords[slot] = v + 1;
                putLoanWordRelease(MEMORY, extAt, slot, v + 1);
                loanState[slot] = LOAN_NONE;
            }
        }
        nextSequence = nextSequenceAcquire(MEMORY, extAt);
        if (reclaimed > 0) {
            ring.signalChange();
        }
        return reclaimed;
    }

    // ------------------------------------------------------------------ end of stream

    void markEndOfStream() {
        for (int slot = 0; slot < slotCount; slot++) {
            if (loanState[slot] == LOANED) {
                throw new SlotStateException("cannot end the stream of " + ring + ": slot " + slot
                        + " is still loaned; commit or discard it first (an open FlatWriter holds its next slot:"
                        + " end the stream with its endStream(), or close it first)");
            }
        }
        if (!streamEnded) {
            streamEnded = true;
            putEndSequenceRelease(MEMORY, extAt, nextSequence);
            ring.signalChange();
        }
    }

    long endOfStreamSequence() {
        long end = endSequenceAcquire(MEMORY, extAt);
        return end < 0 ? OPEN_STREAM : end;
    }
}
