package io.zerodds.flatdata;

import org.junit.jupiter.api.AfterAll;

/** The contract suite against the POSIX shared-memory backend (one fresh /dev/shm object per ring). */
class PosixSlotBackendTest extends SlotBackendContractTest {

    private static final ShmNames NAMES = new ShmNames("contract");

    @Override
    protected SlotBackend create(int slots, int capacity, long initialSequence, byte[] typeHash) {
        return PosixSlotBackend.create(NAMES.next()).slotCount(slots).slotCapacity(capacity)
                .initialSequence(initialSequence).typeHash(typeHash).build();
    }

    @AfterAll
    static void everyObjectWasUnlinked() {
        NAMES.assertNoneLeft();
    }
}
