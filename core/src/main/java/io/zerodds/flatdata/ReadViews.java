package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;

/**
 * Read-only views of slot payloads, one per slot and sample size, made on first use: a ring of
 * fixed-size samples is read without allocating. Views are immutable, so readers on several
 * threads may race on the cache harmlessly (the loser makes one view more).
 */
final class ReadViews {
    private final MemorySegment segment;
    private final MemorySegment[] views;

    ReadViews(MemorySegment segment, int slotCount) {
        this.segment = segment;
        this.views = new MemorySegment[slotCount];
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
