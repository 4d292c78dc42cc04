package io.zerodds.flatdata.tck;

/** TCK publisher rules for the {@code Mono<Void>} of a send over the POSIX shared-memory backend. */
public class PosixSendMonoPublisherTckTest extends SendMonoPublisherVerification {
    public PosixSendMonoPublisherTckTest() {
        super(Rings.POSIX);
    }
}
