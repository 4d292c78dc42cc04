package io.zerodds.flatdata.tck;

/** TCK publisher rules for the unicast {@code Flux} of a reactive reader over the in-memory backend. */
public class InMemoryPublisherTckTest extends SampleViewPublisherVerification {
    public InMemoryPublisherTckTest() {
        super(Rings.IN_MEMORY, Readers.UNICAST);
    }
}
