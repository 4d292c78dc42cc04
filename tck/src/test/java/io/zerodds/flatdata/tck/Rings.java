package io.zerodds.flatdata.tck;

import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.SlotBackend;
import java.util.concurrent.atomic.AtomicInteger;

/** The backends the TCK runs on, and the rings every verification builds the same way. */
enum Rings {
    IN_MEMORY {
        @Override
        SlotBackend create(int slots, int capacity) {
            return InMemorySlotBackend.create(slots, capacity);
        }
    },
    POSIX {
        @Override
        SlotBackend create(int slots, int capacity) {
            String name = "flatdata-tck-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
            return PosixSlotBackend.create(name).slotCount(slots).slotCapacity(capacity).build();
        }
    };

    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Slots per ring: small, so that backpressure reaches the writer within a few elements. */
    static final int SLOTS = 16;
    static final int CAPACITY = 64;

    abstract SlotBackend create(int slots, int capacity);

    SlotBackend create() {
        return create(SLOTS, CAPACITY);
    }
}
