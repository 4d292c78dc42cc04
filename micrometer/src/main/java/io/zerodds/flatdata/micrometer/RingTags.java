package io.zerodds.flatdata.micrometer;

import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.SlotBackend;

/** The low-cardinality names of a ring for tags and observation keys: its name and its backend. */
final class RingTags {
    private RingTags() {
    }

    /** The ring's name: a POSIX segment's name, else the backend's own description. */
    static String ring(SlotBackend backend) {
        if (backend instanceof PosixSlotBackend posix) {
            return posix.name();
        }
        return backend.toString();
    }

    /** {@code in-memory}, {@code posix}, {@code iceoryx2}, or the backend class's simple name. */
    static String backend(SlotBackend backend) {
        return switch (backend.getClass().getSimpleName()) {
            case "InMemorySlotBackend" -> "in-memory";
            case "PosixSlotBackend" -> "posix";
            case "Iceoryx2SlotBackend" -> "iceoryx2";
            default -> backend.getClass().getSimpleName();
        };
    }
}
