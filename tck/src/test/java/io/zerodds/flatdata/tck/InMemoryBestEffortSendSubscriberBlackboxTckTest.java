package io.zerodds.flatdata.tck;

/** TCK subscriber rules (blackbox) for the best-effort send subscriber over the in-memory backend. */
public class InMemoryBestEffortSendSubscriberBlackboxTckTest extends SendSubscriberBlackboxVerification {
    public InMemoryBestEffortSendSubscriberBlackboxTckTest() {
        super(Rings.IN_MEMORY, SendSubscribers.Mode.BEST_EFFORT);
    }
}
