package io.zerodds.flatdata.iceoryx2;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Views of iceoryx2 chunks by address, made on first use: a publisher's data segment holds a
 * fixed set of chunks, so after they were all seen once a steady stream of samples of one size is
 * viewed without allocating. Every view belongs to {@code scope}: once the port it was made for
 * is closed, a view kept too long throws instead of reading unmapped memory. Not thread-safe;
 * its owner serialises the calls.
 */
final class ChunkViews {

    private final Arena scope;
    private final boolean readOnly;
    private final long[] addresses;
    private final MemorySegment[] views;
    private final int mask;
    private int used;

    ChunkViews(Arena scope, int chunks, boolean readOnly) {
        this.scope = scope;
        this.readOnly = readOnly;
        int capacity = Integer.highestOneBit(Math.max(16, chunks * 4) - 1) << 1;
        this.addresses = new long[capacity];
        this.views = new MemorySegment[capacity];
        this.mask = capacity - 1;
    }

    /** A view of {@code size} bytes at {@code address}. */
    MemorySegment view(long address, long size) {
        int i = (int) mix(address) & mask;
        while (true) {
            long at = addresses[i];
            if (at == address) {
                MemorySegment view = views[i];
                if (view.byteSize() != size) {
                    view = make(address, size);
                    views[i] = view;
                }
                return view;
            }
            if (at == 0) {
                if (used >= (mask + 1) / 2) {
                    // more distinct chunks than a data segment holds: a new publisher took over
                    java.util.Arrays.fill(addresses, 0);
                    java.util.Arrays.fill(views, null);
                    used = 0;
                    i = (int) mix(address) & mask;
                }
                MemorySegment view = make(address, size);
                addresses[i] = address;
                views[i] = view;
                used++;
                return view;
            }
            i = (i + 1) & mask;
        }
    }

    private MemorySegment make(long address, long size) {
        MemorySegment view = MemorySegment.ofAddress(address).reinterpret(size, scope, null);
        return readOnly ? view.asReadOnly() : view;
    }

    private static long mix(long address) {
        long h = address * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
