package io.zerodds.flatdata;

import static io.zerodds.flatdata.SegmentLayout.sequenceHighTableOffset;
import static io.zerodds.flatdata.SegmentLayout.slotOffset;

import java.lang.foreign.MemorySegment;

/**
 * What both halves of a {@link SegmentSlotBackend} ({@link SlotWriter}, {@link SlotReader}) work
 * with: the ring they belong to, its geometry and the addresses of its memory, copied into final
 * fields of the half once, so that a hot path loads them from the half itself and never through
 * the ring. Every access goes through {@link #MEMORY} at an address, as the ring's own do.
 */
abstract sealed class SlotRingHalf permits SlotWriter, SlotReader {
    static final MemorySegment MEMORY = SegmentSlotBackend.MEMORY;

    /** The ring: its shared state (active mask, registry, change signal) and its name in messages. */
    final SegmentSlotBackend ring;
    /** Address of the ring's first byte, as {@link SegmentSlotBackend#base}. */
    final long base;
    /** Address of the extension region. */
    final long extAt;
    /** Address of the sequence-high table: {@link SlotDescriptor#sequenceHighAcquire} is on both hot paths. */
    final long sequenceHighAt;
    final int slotCount;
    final int slotTotalSize;
    final int capacity;
    final RingCounters counters;

    /** A half of {@code ring}, whose geometry is set. */
    SlotRingHalf(SegmentSlotBackend ring) {
        this.ring = ring;
        this.base = ring.base;
        this.slotCount = ring.slotCount;
        this.slotTotalSize = ring.slotTotalSize;
        this.capacity = ring.capacity;
        this.extAt = base + ring.ext;
        this.sequenceHighAt = extAt + sequenceHighTableOffset(slotCount);
        this.counters = ring.counters;
    }

    /** The address of the header of {@code slot}. */
    final long slotAt(int slot) {
        return base + slotOffset(slot, slotTotalSize);
    }
}
