package io.zerodds.flatdata.tck;

/** TCK publisher rules for the per-subscriber {@code Flux} of reactive readers over the in-memory backend. */
public class InMemoryPerSubscriberPublisherTckTest extends SampleViewPublisherVerification {
    public InMemoryPerSubscriberPublisherTckTest() {
        super(Rings.IN_MEMORY, Readers.PER_SUBSCRIBER);
    }
}
