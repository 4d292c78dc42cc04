package io.zerodds.flatdata;

import io.zerodds.flatdata.test.ShmNames;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract suite against the POSIX shared-memory backend (one fresh /dev/shm object per ring). */
class PosixSlotBackendTest extends SlotBackendContractTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("contract");

    @Override
    protected SlotBackend create(int slots, int capacity, long initialSequence, byte[] typeHash) {
        return PosixSlotBackend.create(NAMES.next()).slotCount(slots).slotCapacity(capacity)
                .initialSequence(initialSequence).typeHash(typeHash).build();
    }
}
