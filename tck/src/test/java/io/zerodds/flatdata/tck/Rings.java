package io.zerodds.flatdata.tck;

import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend;
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
    static final String ICEORYX2_PREFIX = "fdtck" + ProcessHandle.current().pid() + "_";

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of("/dev/shm"))) {
                files.filter(f -> f.getFileName().toString().startsWith(ICEORYX2_PREFIX)).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException ignored) {
                // nothing to clean
            }
        }));
    }

    /** Slots per ring: small, so that backpressure reaches the writer within a few elements. */
    static final int SLOTS = 16;
    static final int CAPACITY = 64;

    abstract SlotBackend create(int slots, int capacity);

    SlotBackend create() {
        return create(SLOTS, CAPACITY);
    }
}
