package io.zerodds.flatdata.tck;

/** TCK subscriber rules (whitebox) for the send subscriber over the POSIX shared-memory backend. */
public class PosixSendSubscriberWhiteboxTckTest extends SendSubscriberWhiteboxVerification {
    public PosixSendSubscriberWhiteboxTckTest() {
        super(Rings.POSIX);
    }
}
