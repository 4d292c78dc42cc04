package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;

/**
 * Read-only views of slot payloads, made on first use: one per slot and sample size (a ring of
 * fixed-size samples is read without allocating), and one of each slot's whole payload area (any
 * sample size is read without allocating). Views are immutable, so readers on several threads may
 * race on the caches harmlessly (the loser makes one view more).
 */
final class ReadViews {
    private final MemorySegment segment;
    private final MemorySegment[] views;
    private final MemorySegment[] areas;

    ReadViews(MemorySegment segment, int slotCount) {
        this.segment = segment;
        this.views = new MemorySegment[slotCount];
        this.areas = new MemorySegment[slotCount];
    }

    /** The {@code capacity} bytes at {@code offset}: the payload area of {@code slot}. */
    MemorySegment area(int slot, long offset, int capacity) {
        MemorySegment area = areas[slot];
        if (area == null) {
            area = segment.asSlice(offset, capacity).asReadOnly();
            areas[slot] = area;
        }
        return area;
    }

    /** The {@code size} bytes at {@code offset}, which hold the payload of {@code slot}. */
    MemorySegment view(int slot, long offset, int size) {
        MemorySegment view = views[slot];
        if (view == null || view.byteSize() != size) {
            view = segment.asSlice(offset, size).asReadOnly();
            views[slot] = view;
        }
        return view;
    }
}
