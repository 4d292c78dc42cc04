package io.zerodds.flatdata.tck;

/** TCK subscriber rules (blackbox) for the send subscriber over the POSIX shared-memory backend. */
public class PosixSendSubscriberBlackboxTckTest extends SendSubscriberBlackboxVerification {
    public PosixSendSubscriberBlackboxTckTest() {
        super(Rings.POSIX);
    }
}
