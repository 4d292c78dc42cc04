package io.zerodds.flatdata.tck;

/** TCK subscriber rules (whitebox) for the reliable send subscriber over the in-memory backend. */
public class InMemoryReliableSendSubscriberWhiteboxTckTest extends SendSubscriberWhiteboxVerification {
    public InMemoryReliableSendSubscriberWhiteboxTckTest() {
        super(Rings.IN_MEMORY, SendSubscribers.Mode.RELIABLE);
    }
}
