package io.zerodds.flatdata.tck;

/** TCK publisher rules for the per-subscriber {@code Flux} of reactive readers over the POSIX shared-memory backend. */
public class PosixPerSubscriberPublisherTckTest extends SampleViewPublisherVerification {
    public PosixPerSubscriberPublisherTckTest() {
        super(Rings.POSIX, Readers.PER_SUBSCRIBER);
    }
}
