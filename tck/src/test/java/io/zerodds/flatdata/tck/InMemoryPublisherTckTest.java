package io.zerodds.flatdata.tck;

/** TCK publisher rules for the reactive reader over the in-memory backend. */
public class InMemoryPublisherTckTest extends SampleViewPublisherVerification {
    public InMemoryPublisherTckTest() {
        super(Rings.IN_MEMORY);
    }
}
