package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;
import static io.zerodds.flatdata.SlotBackend.NO_SEQUENCE;
import static io.zerodds.flatdata.SlotBackend.NO_SLOT;
import static io.zerodds.flatdata.SlotDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The reader half of a {@link SegmentSlotBackend}: the observe protocol (the seqlock read of a
 * slot, the in-order search for a reader's next sample), mark read, and the caches readers keep
 * (read-only views, each reader's hint where its next sample is). It works on the ring's memory
 * through {@link SegmentSlotBackend#MEMORY} and the descriptors' accessors, as the ring does; the
 * ring checks that it is open and the indices, then calls in.
 *
 * <h2>Observe protocol</h2>
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
 * <p>The caches race benignly: each view is immutable; a hint belongs to one reader index, which
 * the contract gives to one thread at a time with a happens-before hand-over.
 */
final class SlotReader extends SlotRingHalf {
    private static final int HINT_STRIDE = 16;

    private final ReadViews readViews;
    /**
     * Per reader: the slot after the one its last sample came from, and the sequence it expects
     * there (-1 = no hint). The hint decides a "nothing yet" answer, so both words must be the
     * reader's own latest ones. 128 bytes apart: two readers never share a cache line, whatever
     * the array's alignment.
     */
    private final long[] readerHint = new long[MAX_READERS * HINT_STRIDE];

    /** The reader half of {@code ring}, whose geometry is set. */
    SlotReader(SegmentSlotBackend ring) {
        super(ring);
        this.readViews = new ReadViews(ring.segment, slotCount);
        for (int reader = 0; reader < MAX_READERS; reader++) {
            readerHint[reader * HINT_STRIDE + 1] = -1;
        }
    }

    /** The header of {@code slot}, relative to {@link #base}. */
    private long header(int slot) {
        return slotOffset(slot, slotTotalSize);
    }

    // ------------------------------------------------------------------ seqlock reads

    long slotSequence(int slot) {
        // callers validate bytes they read in place before this call: keep those loads before ours
        VarHandle.acquireFence();
        return unreadSequence(slot, 0);
    }

    /**
     * The sequence of the committed sample in {@code slot} if none of {@code readerBits} is set
     * in its mask, else {@link SlotBackend#NO_SEQUENCE}; seqlock-validated.
     */
    private long unreadSequence(int slot, int readerBits) {
        long w1 = slotWordAcquire(MEMORY, slotAt(slot));
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

    SlotSample readSlot(int slot) {
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
            MemorySegment.copy(ring.segment, ValueLayout.JAVA_BYTE, payloadOffset(header(slot)), data, 0, data.length);
            VarHandle.acquireFence();
            if (slotWordAcquire(MEMORY, h) == w1) {
                return new SlotSample(sequence(hi, wordSequenceLow(w1)), size, mask, data);
            }
            Thread.onSpinWait();
        }
    }

    MemorySegment slotReadPtr(int slot) {
        return readViews.view(slot, payloadOffset(header(slot)), committedSize(slot));
    }

    MemorySegment slotReadArea(int slot) {
        committedSize(slot);
        return readViews.area(slot, payloadOffset(header(slot)), capacity);
    }

    /** The committed sample size in the header of {@code slot}, validated. */
    int committedSize(int slot) {
        // Header line only: a loan zeroes sample_size before any byte of the new sample is
        // written, so size 0 is "no committed sample"; a caller racing a recycle detects it
        // afterwards with slotSequence, as the contract says.
        return checkSampleSize(ring, slot, slotSizeAcquire(MEMORY, slotAt(slot)), capacity, true);
    }

    /** Committed samples {@code reader} wants and has not marked read: its lag; a racing snapshot. */
    int unreadCount(int reader) {
        if ((ring.activeMask() & (1 << reader)) == 0) {
            return 0;
        }
        int unread = 0;
        for (int slot = 0; slot < slotCount; slot++) {
            long h = slotAt(slot);
            if (wordSize(slotWordAcquire(MEMORY, h)) != 0 && (slotMaskAcquire(MEMORY, h) & (1 << reader)) == 0
                    && ring.wantedByAny(slot, 1 << reader)) {
                unread++;
            }
        }
        return unread;
    }

    // ------------------------------------------------------------------ the next unread sample

    /** The slot of {@code reader}'s oldest unread sample (a full search), else {@link SlotBackend#NO_SLOT}. */
    int nextUnreadSlot(int reader) {
        checkAttached(reader);
        long from = ring.readerStartSequence(reader);
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

    /** The slot of {@code reader}'s unread sample {@code sequence}, else {@link SlotBackend#NO_SLOT}. */
    int nextUnreadSlot(int reader, long sequence) {
        // The slot after the one the previous sample came from usually holds the next sample:
        // probing it first costs the loads of that one slot (which a spinning reader then watches
        // directly). Its slot word is compared first; only a match pays for the rest of the
        // seqlock read (mask and sequence hi32, then the word again), so a hit is committed.
        int bit = 1 << reader;
        int h = reader * HINT_STRIDE;
        if (readerHint[h + 1] == sequence) {
            int hint = (int) readerHint[h];
            long w1 = slotWordAcquire(MEMORY, slotAt(hint));
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
        long start = ring.readerStartSequence(reader);
        if (sequence < start) {
            throw new IllegalArgumentException("sequence=" + sequence + " precedes reader " + reader
                    + "'s start sequence=" + start);
        }
        // committed, and an attached reader's unread samples cannot be recycled: it was read already
        throw new IllegalStateException("sample sequence=" + sequence + " is no longer unread by reader "
                + reader + " in " + ring + " (marked read twice?)");
    }

    /** Remembers that {@code sequence} came from {@code slot}: the next is looked for after it. */
    private void hint(int reader, int slot, long sequence) {
        int h = reader * HINT_STRIDE;
        readerHint[h] = slot + 1 == slotCount ? 0 : slot + 1;
        readerHint[h + 1] = sequence + 1;
    }

    /** Forgets {@code reader}'s hint: a reader that (re)attaches starts with a full search. */
    void forgetHint(int reader) {
        readerHint[reader * HINT_STRIDE + 1] = -1;
    }

    private void checkAttached(int reader) {
        int state = readerStateAcquire(MEMORY, readerEntryOffset(extAt, reader));
        if (state == READER_DISCONNECTED || state == READER_DISCONNECTING) {
            throw new ReaderDisconnectedException(reader, ring.toString());
        }
        if (state != READER_ATTACHED) {
            throw new IllegalStateException("reader index=" + reader + " is not attached to " + ring);
        }
    }

    // ------------------------------------------------------------------ mark read

    void markRead(int slot, int reader) {
        int bit = 1 << reader;
        int old = orSlotMask(MEMORY, slotAt(slot), bit);
        if ((old & bit) == 0) {
            counters.recordTaken(reader);
            // the slot is free now unless an active reader that wants it has not read it yet
            int missing = ring.activeMask() & ~(old | bit);
            // only a writer whose last reserve found the ring full waits for a free slot: with
            // none, a slot-free event stays off the notify word's cache line (see reserveSlot)
            if (writerStarvedVolatile(MEMORY, extAt) != 0
                    && (missing == 0 || !ring.wantedByAny(slot, missing))) {
                ring.signalChange();
            }
        }
    }
}
