package io.zerodds.flatdata.tck;

/** TCK subscriber rules (blackbox) for the send subscriber over the in-memory backend. */
public class InMemorySendSubscriberBlackboxTckTest extends SendSubscriberBlackboxVerification {
    public InMemorySendSubscriberBlackboxTckTest() {
        super(Rings.IN_MEMORY);
    }
}
