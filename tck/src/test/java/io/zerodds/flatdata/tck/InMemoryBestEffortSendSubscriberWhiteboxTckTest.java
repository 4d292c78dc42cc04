package io.zerodds.flatdata.tck;

/** TCK subscriber rules (whitebox) for the best-effort send subscriber over the in-memory backend. */
public class InMemoryBestEffortSendSubscriberWhiteboxTckTest extends SendSubscriberWhiteboxVerification {
    public InMemoryBestEffortSendSubscriberWhiteboxTckTest() {
        super(Rings.IN_MEMORY, SendSubscribers.Mode.BEST_EFFORT);
    }
}
