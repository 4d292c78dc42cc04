package io.zerodds.flatdata.tck;

/** TCK publisher rules for the unicast {@code Flux} of a reactive reader over the iceoryx2 backend. */
public class Iceoryx2PublisherTckTest extends SampleViewPublisherVerification {
    public Iceoryx2PublisherTckTest() {
        super(Rings.ICEORYX2, Readers.UNICAST);
    }
}
