package io.zerodds.flatdata;

/** The contract suite against the in-memory backend. */
class InMemorySlotBackendTest extends SlotBackendContractTest {
    @Override
    protected SlotBackend create(int slots, int capacity, long initialSequence, byte[] typeHash) {
        return InMemorySlotBackend.builder().slotCount(slots).slotCapacity(capacity)
                .initialSequence(initialSequence).typeHash(typeHash).build();
    }
}
