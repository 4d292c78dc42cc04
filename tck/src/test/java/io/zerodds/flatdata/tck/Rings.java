package io.zerodds.flatdata.tck;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend;
import io.zerodds.flatdata.test.ShmNames;
import java.util.concurrent.atomic.AtomicInteger;

/** The backends the TCK runs on, and the rings every verification builds the same way. */
enum Rings {
    IN_MEMORY {
        @Override
        SlotBackend create(int slots, int capacity) {
            return TestBackends.IN_MEMORY.create(slots, capacity);
        }
    },
    POSIX {
        @Override
        SlotBackend create(int slots, int capacity) {
            return TestBackends.POSIX.create(slots, capacity);
        }
    },
    ICEORYX2 {
        @Override
        SlotBackend create(int slots, int capacity) {
            String name = "flatdata/tck/" + NAMES.incrementAndGet();
            return Iceoryx2SlotBackend.create(name).prefix(ICEORYX2_PREFIX).slotCount(slots).slotCapacity(capacity)
                    .build();
        }
    };

    private static final AtomicInteger NAMES = new AtomicInteger();

    /** This JVM's iceoryx2 file prefix; its management segment is removed when the JVM ends. */
    static final String ICEORYX2_PREFIX = ShmNames.processPrefix("fdtck");

    /** Slots per ring: small, so that backpressure reaches the writer within a few elements. */
    static final int SLOTS = 16;
    static final int CAPACITY = 64;

    abstract SlotBackend create(int slots, int capacity);

    SlotBackend create() {
        return create(SLOTS, CAPACITY);
    }
}
