package io.zerodds.flatdata.tck;

/** TCK subscriber rules (blackbox) for the reliable send subscriber over the in-memory backend. */
public class InMemoryReliableSendSubscriberBlackboxTckTest extends SendSubscriberBlackboxVerification {
    public InMemoryReliableSendSubscriberBlackboxTckTest() {
        super(Rings.IN_MEMORY, SendSubscribers.Mode.RELIABLE);
    }
}
