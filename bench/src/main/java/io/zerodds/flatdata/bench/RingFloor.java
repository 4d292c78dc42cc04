package io.zerodds.flatdata.bench;

import static io.zerodds.flatdata.SegmentLayout.NOTIFY_OFFSET;
import static io.zerodds.flatdata.SegmentLayout.SLOTS_OFFSET;
import static io.zerodds.flatdata.SlotDescriptor.SLOT_HEADER_SIZE;
import static io.zerodds.flatdata.SlotDescriptor.SLOT_MASK_OFFSET;
import static io.zerodds.flatdata.SlotDescriptor.SLOT_SEQUENCE_OFFSET;
import static io.zerodds.flatdata.SlotDescriptor.packWord;
import static io.zerodds.flatdata.SlotDescriptor.wordSequenceLow;

import io.zerodds.flatdata.SegmentLayout;
import io.zerodds.flatdata.SlotDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The memory operations a flatdata hand-off makes on the lines both processes touch, written out
 * without the library: what busy-spin latency would be with no code between them. Two rings of 64
 * slots of 128 bytes in one mapped file, each laid out as {@link SegmentLayout} lays out a ring
 * (slots from {@code SLOTS_OFFSET}, the notify word at {@code NOTIFY_OFFSET}) and
 * {@link SlotDescriptor} lays out a slot (the slot header's sequence lo32 and size as one word at
 * {@code SLOT_SEQUENCE_OFFSET}, reader mask at {@code SLOT_MASK_OFFSET}, payload at
 * {@code SLOT_HEADER_SIZE}), one ring per direction. Only the words named below are stored: the
 * rest of each ring's extension region stays zero. The loads and stores are spelled out rather
 * than taken from the descriptors' accessors, so
 * that this class states every memory operation it measures.
 *
 * <ul>
 *   <li>send: load the slot word and mask (is the slot free?), store the word with size 0, a
 *       store-store fence, the payload, mask 0, then the word with sequence and size (release),
 *       then the atomic increment of the notify word and the load of the waiter word;</li>
 *   <li>receive: poll the slot word until it names the sequence, load the mask, an acquire
 *       fence, load the word again, load the payload;</li>
 *   <li>release: the atomic or of the reader's bit into the mask.</li>
 * </ul>
 * The words the writer alone stores elsewhere (loan table, next sequence) and every check the
 * library makes in the process's own memory are left out: they cost time, not line transfers.
 */
final class RingFloor {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final int SLOTS = 64;
    private static final int SAMPLE = 64;
    /** A slot that holds a {@code SAMPLE}-byte sample, header included: 128 bytes. */
    private static final long SLOT_SIZE = SegmentLayout.slotTotalSize(SAMPLE);
    /** Bytes between the two rings: more than a ring's {@code SegmentLayout.segmentSize}, a multiple of pages. */
    private static final long RING = 16_384;
    /** The anonymous waiter count of the extension region, where a notifier looks for waiters. */
    private static final long WAITERS = SegmentLayout.extensionOffset(SLOTS, (int) SLOT_SIZE)
            + SegmentLayout.EXT_WAITERS_OFFSET;
    /** Bytes of the mapped file: two rings, each on pages of its own. */
    static final long FILE_SIZE = 2 * RING;

    private final MemorySegment file;

    RingFloor(MemorySegment file) {
        this.file = file;
    }

    private static long slot(int ring, long round) {
        return ring * RING + SLOTS_OFFSET + (round & (SLOTS - 1)) * SLOT_SIZE;
    }

    void send(int ring, long round, long value) {
        long h = slot(ring, round);
        long word = (long) LONG.getAcquire(file, h + SLOT_SEQUENCE_OFFSET);
        int mask = (int) INT.getAcquire(file, h + SLOT_MASK_OFFSET);
        if (round >= SLOTS && (mask & 1) == 0) {
            throw new IllegalStateException("slot of round " + round + " not read yet (word " + word + ")");
        }
        LONG.setOpaque(file, h + SLOT_SEQUENCE_OFFSET, packWord(wordSequenceLow(word), 0));
        VarHandle.storeStoreFence();
        file.set(ValueLayout.JAVA_LONG, h + SLOT_HEADER_SIZE, value);
        INT.set(file, h + SLOT_MASK_OFFSET, 0);
        LONG.setRelease(file, h + SLOT_SEQUENCE_OFFSET, packWord((int) round, SAMPLE));
        INT.getAndAdd(file, ring * RING + NOTIFY_OFFSET, 1);
        if ((int) INT.getVolatile(file, ring * RING + WAITERS) != 0) {
            throw new IllegalStateException("nobody waits in this benchmark");
        }
    }

    /** Busy-spins until the sample of {@code round} is in its slot; returns its first payload word. */
    long receive(int ring, long round) {
        long h = slot(ring, round);
        long expected = packWord((int) round, SAMPLE);
        long n = 0;
        while (true) {
            long word = (long) LONG.getAcquire(file, h + SLOT_SEQUENCE_OFFSET);
            if (word == expected) {
                int mask = (int) INT.getAcquire(file, h + SLOT_MASK_OFFSET);
                VarHandle.acquireFence();
                if ((long) LONG.getAcquire(file, h + SLOT_SEQUENCE_OFFSET) == word && (mask & 1) == 0) {
                    return file.get(ValueLayout.JAVA_LONG, h + SLOT_HEADER_SIZE);
                }
            }
            n = BusyWait.idle(n, "floor sample");
        }
    }

    void release(int ring, long round) {
        INT.getAndBitwiseOr(file, slot(ring, round) + SLOT_MASK_OFFSET, 1);
    }
}
