package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The descriptor of one slot: its header in the slot array, its two words in the extension
 * region's slot tables (the loan word and the sequence hi32), the packings of its seqlock word and
 * of its 64-bit sequence, and the one way each of these fields is loaded and stored. Where the
 * slot array and the tables are is {@link SegmentLayout}'s business ({@link SegmentLayout#slotOffset},
 * {@link SegmentLayout#loanWordOffset}, {@link SegmentLayout#sequenceHighTableOffset}).
 *
 * <p>The slot header is byte-compatible with the ZeroDDS reference (host byte order):
 * <pre>
 * slot header (reference), slot_total_size = align_up(16 + capacity, 64) bytes a slot
 * +0x00 u32 sequence lo32 | +0x04 u32 sample_size (0 = empty) | +0x08 u32 reader_mask | +0x0C u32 0
 * +0x10 payload (capacity bytes), then padding to a 64-byte multiple
 *
 * its words in the slot tables of the extension region
 * loan table          u32 loan word (odd = loaned to the writer)
 * sequence-high table u32 the high 32 bits of the slot's sequence (written only when they change)
 * </pre>
 *
 * <p>A slot's sequence lo32 and sample_size form one 64-bit word at +0x00, stored at once: it is
 * the seqlock of the slot. A loan stores it with sample_size 0 before the first payload byte; a
 * commit stores the new sequence and size with one release store. A reader that sees the same
 * non-zero-size word before and after reading has read one whole sample. The word, the reader
 * mask and the first 48 payload bytes share a cache line, so a reader polling the next slot gets
 * all it needs to accept a sample with one line transfer.
 *
 * <h2>Accessors and memory order</h2>
 * The slot header accessors take the segment and the offset, within it, of the slot header
 * ({@code header}, {@link SegmentLayout#slotOffset}); the loan word's take the extension region
 * ({@code ext}, {@link SegmentLayout#extensionOffset}) and the slot; the sequence hi32's take the
 * sequence-high table ({@code table}) and the slot. A caller that addresses all memory with one
 * unchecked segment passes the ring's address plus the offset. The suffixes name the memory order
 * as in {@link SegmentLayout}:
 * <table>
 *   <caption>Fields and the orders they are accessed with</caption>
 *   <tr><th>field</th><th>loads</th><th>stores</th></tr>
 *   <tr><td>slot word (sequence lo32, size)</td><td>acquire; plain by its only writer</td>
 *       <td>opaque with size 0 (a loan, then a store-store fence), release (a commit)</td></tr>
 *   <tr><td>sample_size, sequence lo32 alone</td><td>acquire (plain in crash repair)</td><td>via the slot word</td></tr>
 *   <tr><td>reader mask</td><td>acquire</td><td>plain 0 by a commit; atomic or / and</td></tr>
 *   <tr><td>loan word</td><td>acquire</td><td>opaque (a loan), release (a commit, a discard)</td></tr>
 *   <tr><td>sequence hi32</td><td>acquire (plain in crash repair)</td><td>plain, ordered by the slot word's release</td></tr>
 * </table>
 * The accessors are static and allocate nothing: the JIT compiles each to the one load or store.
 */
public final class SlotDescriptor {
    private SlotDescriptor() {
    }

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    // ---- slot header (reference), relative to its start ----
    public static final long SLOT_SEQUENCE_OFFSET = 0x00;
    public static final long SLOT_SIZE_OFFSET = SLOT_SEQUENCE_OFFSET + 4;
    public static final long SLOT_MASK_OFFSET = SLOT_SIZE_OFFSET + 4;
    public static final long SLOT_RESERVED_OFFSET = SLOT_MASK_OFFSET + 4;
    /** The payload starts here, relative to the slot header. */
    public static final long SLOT_HEADER_SIZE = SLOT_RESERVED_OFFSET + 4;

    /** The offset of the payload of the slot whose header is at {@code header}. */
    public static long payloadOffset(long header) {
        return header + SLOT_HEADER_SIZE;
    }

    // ================================================================== packings

    /** A slot's 64-bit seqlock word: sequence lo32 in the low half, sample_size in the high half. */
    public static long packWord(int sequenceLow, int size) {
        return Integer.toUnsignedLong(sequenceLow) | ((long) size << 32);
    }

    public static int wordSize(long word) {
        return (int) (word >>> 32);
    }

    public static int wordSequenceLow(long word) {
        return (int) word;
    }

    /** A 64-bit sequence from a slot's sequence hi32 (its table) and lo32 (its slot word). */
    public static long sequence(int high, int low) {
        return ((long) high << 32) | Integer.toUnsignedLong(low);
    }

    /** The sequence hi32 a slot's table entry holds for {@code sequence}. */
    public static int sequenceHigh(long sequence) {
        return (int) (sequence >>> 32);
    }

    // ================================================================== validator

    /**
     * A slot header's {@code sample_size} as a reader may trust it: at most {@code capacity} (a
     * damaged or foreign segment could claim more, and the bytes past the slot are the next slot's);
     * with {@code committed}, also not 0 (no committed sample). {@code ring} names the ring in the
     * messages.
     *
     * @throws SegmentFormatException for a size outside [0, capacity]
     * @throws SlotStateException for 0 where a committed sample is required
     */
    public static int checkSampleSize(Object ring, int slot, int size, int capacity, boolean committed) {
        if (size == 0 && committed) {
            throw new SlotStateException("slot " + slot + " holds no committed sample (" + ring + ")");
        }
        if (size < 0 || size > capacity) {
            throw new SegmentFormatException(ring + ": slot " + slot + " claims sample_size="
                    + Integer.toUnsignedString(size) + ", more than its capacity=" + capacity);
        }
        return size;
    }

    // ================================================================== slot header

    public static long slotWordAcquire(MemorySegment segment, long header) {
        return (long) LONG.getAcquire(segment, header + SLOT_SEQUENCE_OFFSET);
    }

    /** The slot word, plain: for the writer, the only party that stores it. */
    public static long slotWord(MemorySegment segment, long header) {
        return (long) LONG.get(segment, header + SLOT_SEQUENCE_OFFSET);
    }

    /** A loan's store (size 0): the caller follows it with a store-store fence before any payload byte. */
    public static void putSlotWordOpaque(MemorySegment segment, long header, long word) {
        LONG.setOpaque(segment, header + SLOT_SEQUENCE_OFFSET, word);
    }

    /** A commit's store: publishes the sample. */
    public static void putSlotWordRelease(MemorySegment segment, long header, long word) {
        LONG.setRelease(segment, header + SLOT_SEQUENCE_OFFSET, word);
    }

    public static int slotSizeAcquire(MemorySegment segment, long header) {
        return (int) INT.getAcquire(segment, header + SLOT_SIZE_OFFSET);
    }

    /** sample_size, plain: for a repair of a segment nobody writes meanwhile. */
    public static int slotSize(MemorySegment segment, long header) {
        return segment.get(ValueLayout.JAVA_INT, header + SLOT_SIZE_OFFSET);
    }

    public static int slotSequenceLowAcquire(MemorySegment segment, long header) {
        return (int) INT.getAcquire(segment, header + SLOT_SEQUENCE_OFFSET);
    }

    /** The sequence lo32, plain: for a repair of a segment nobody writes meanwhile. */
    public static int slotSequenceLow(MemorySegment segment, long header) {
        return segment.get(ValueLayout.JAVA_INT, header + SLOT_SEQUENCE_OFFSET);
    }

    public static int slotMaskAcquire(MemorySegment segment, long header) {
        return (int) INT.getAcquire(segment, header + SLOT_MASK_OFFSET);
    }

    /** A commit's store of the reader mask, plain: the slot word's release store publishes it. */
    public static void putSlotMask(MemorySegment segment, long header, int mask) {
        INT.set(segment, header + SLOT_MASK_OFFSET, mask);
    }

    /** Sets {@code bits} in the reader mask (atomic); returns the mask before. */
    public static int orSlotMask(MemorySegment segment, long header, int bits) {
        return (int) INT.getAndBitwiseOr(segment, header + SLOT_MASK_OFFSET, bits);
    }

    /** Clears {@code bits} in the reader mask (atomic). */
    public static void clearSlotMask(MemorySegment segment, long header, int bits) {
        INT.getAndBitwiseAnd(segment, header + SLOT_MASK_OFFSET, ~bits);
    }

    // ================================================================== loan and sequence-high tables

    public static int loanWordAcquire(MemorySegment segment, long ext, int slot) {
        return (int) INT.getAcquire(segment, ext + SegmentLayout.loanWordOffset(slot));
    }

    public static void putLoanWordOpaque(MemorySegment segment, long ext, int slot, int word) {
        INT.setOpaque(segment, ext + SegmentLayout.loanWordOffset(slot), word);
    }

    public static void putLoanWordRelease(MemorySegment segment, long ext, int slot, int word) {
        INT.setRelease(segment, ext + SegmentLayout.loanWordOffset(slot), word);
    }

    /** @param table the sequence-high table: {@code ext + sequenceHighTableOffset(slotCount)} */
    public static int sequenceHighAcquire(MemorySegment segment, long table, int slot) {
        return (int) INT.getAcquire(segment, table + slot * SegmentLayout.SEQUENCE_HIGH_SIZE);
    }

    /** The sequence hi32, plain: for a repair of a segment nobody writes meanwhile. */
    public static int sequenceHigh(MemorySegment segment, long table, int slot) {
        return segment.get(ValueLayout.JAVA_INT, table + slot * SegmentLayout.SEQUENCE_HIGH_SIZE);
    }

    /** Plain: a commit's slot word release store publishes it. */
    public static void putSequenceHigh(MemorySegment segment, long table, int slot, int high) {
        INT.set(segment, table + slot * SegmentLayout.SEQUENCE_HIGH_SIZE, high);
    }
}
