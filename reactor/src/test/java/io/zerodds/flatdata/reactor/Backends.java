package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.SlotBackend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Named;

/** The backends every reactive test runs on. */
final class Backends {

    /** Makes an empty ring of {@code slots} slots of {@code capacity} bytes. */
    @FunctionalInterface
    interface Factory {
        SlotBackend create(int slots, int capacity);
    }

    private static final AtomicInteger NAMES = new AtomicInteger();

    private Backends() {
    }

    static List<Named<Factory>> all() {
        return List.of(
                Named.of("in-memory", (slots, capacity) -> InMemorySlotBackend.create(slots, capacity)),
                Named.of("posix", Backends::createPosix));
    }

    static String uniqueName() {
        return "flatdata-reactor-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    static SlotBackend createPosix(int slots, int capacity) {
        return createPosix(uniqueName(), slots, capacity);
    }

    static SlotBackend createPosix(String name, int slots, int capacity) {
        return PosixSlotBackend.create(name).slotCount(slots).slotCapacity(capacity).build();
    }

    static SlotBackend openPosix(String name) {
        return PosixSlotBackend.open(name).build();
    }
}
