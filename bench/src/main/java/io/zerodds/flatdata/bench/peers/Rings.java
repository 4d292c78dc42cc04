package io.zerodds.flatdata.bench.peers;

import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend;

/**
 * The flatdata backends the peer benchmark runs over, by how a ring named after the run is
 * created by its writer's process and opened by its reader's: the same writer and reader code runs
 * over each.
 */
enum Rings {
    /** {@link PosixSlotBackend}: a segment in {@code /dev/shm}. */
    POSIX {
        @Override
        SlotBackend create(String name, int slots, int capacity) {
            return PosixSlotBackend.create(name).slotCount(slots).slotCapacity(capacity).build();
        }

        @Override
        SlotBackend open(String name) {
            return PosixSlotBackend.open(name).build();
        }
    },
    /** {@link Iceoryx2SlotBackend}: an iceoryx2 service, under an iceoryx2 prefix of the run. */
    ICEORYX2 {
        @Override
        SlotBackend create(String name, int slots, int capacity) {
            return Iceoryx2SlotBackend.create(service(name)).prefix(prefix(name)).slotCount(slots).slotCapacity(capacity)
                    .build();
        }

        @Override
        SlotBackend open(String name) {
            return Iceoryx2SlotBackend.open(service(name)).prefix(prefix(name)).build();
        }
    };

    /** Slots of the idle rings. */
    static final int SLOTS = 64;

    /**
     * Slots of a ring for {@code size}-byte samples, as a user would size it: about 16 MiB of
     * slots (what Aeron's terms and the Agrona ring hold here), between 64 and 1024.
     */
    static int slots(int size) {
        return Math.clamp((16 << 20) / size, 64, 1024);
    }

    abstract SlotBackend create(String name, int slots, int capacity);

    abstract SlotBackend open(String name);

    /** The iceoryx2 file prefix of a run, from its tag ({@code flatdata-peers-PID-...}): the files {@link Peers} removes at the end. */
    static String prefix(String name) {
        String[] parts = name.split("-");
        return "fdp" + parts[2] + "_";
    }

    private static String service(String name) {
        return "flatdata/bench/" + name;
    }
}
