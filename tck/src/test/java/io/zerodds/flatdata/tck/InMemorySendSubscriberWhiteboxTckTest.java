package io.zerodds.flatdata.tck;

/** TCK subscriber rules (whitebox) for the send subscriber over the in-memory backend. */
public class InMemorySendSubscriberWhiteboxTckTest extends SendSubscriberWhiteboxVerification {
    public InMemorySendSubscriberWhiteboxTckTest() {
        super(Rings.IN_MEMORY);
    }
}
