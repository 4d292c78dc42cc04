package io.zerodds.flatdata.tck;

/** TCK publisher rules for the unicast {@code Flux} of a reactive reader over the POSIX shared-memory backend. */
public class PosixPublisherTckTest extends SampleViewPublisherVerification {
    public PosixPublisherTckTest() {
        super(Rings.POSIX, Readers.UNICAST);
    }
}
