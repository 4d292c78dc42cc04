package io.zerodds.flatdata;

import io.zerodds.flatdata.test.ShmNames;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Named;

/**
 * The core backends the tests of the other modules run on (the reactive tests, the TCK): each
 * makes an empty ring of a given geometry, a POSIX ring under a fresh /dev/shm name.
 */
public enum TestBackends {
    IN_MEMORY("in-memory") {
        @Override
        public SlotBackend create(int slots, int capacity) {
            return InMemorySlotBackend.create(slots, capacity);
        }
    },
    POSIX("posix") {
        @Override
        public SlotBackend create(int slots, int capacity) {
            return createPosix(uniqueName(), slots, capacity);
        }
    };

    /** Makes an empty ring of {@code slots} slots of {@code capacity} bytes. */
    @FunctionalInterface
    public interface Factory {
        SlotBackend create(int slots, int capacity);
    }

    /** The names of the POSIX rings made here. */
    public static final ShmNames NAMES = new ShmNames("ring");

    private final String label;

    /** An empty ring of {@code slots} slots of {@code capacity} bytes. */
    public abstract SlotBackend create(int slots, int capacity);

    TestBackends(String label) {
        this.label = label;
    }

    /** Every backend, named for the reports of parameterized tests. */
    public static List<Named<Factory>> all() {
        return Arrays.stream(values()).map(b -> Named.<Factory>of(b.label, b::create)).toList();
    }

    /** A fresh /dev/shm name for a POSIX ring. */
    public static String uniqueName() {
        return NAMES.next();
    }

    public static SlotBackend createPosix(String name, int slots, int capacity) {
        return PosixSlotBackend.create(name).slotCount(slots).slotCapacity(capacity).build();
    }

    public static SlotBackend openPosix(String name) {
        return PosixSlotBackend.open(name).build();
    }

    @Override
    public String toString() {
        return label;
    }
}
