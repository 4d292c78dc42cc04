package io.zerodds.flatdata.tck;

/** TCK subscriber rules (whitebox) for the reliable send subscriber over the POSIX shared-memory backend. */
public class PosixReliableSendSubscriberWhiteboxTckTest extends SendSubscriberWhiteboxVerification {
    public PosixReliableSendSubscriberWhiteboxTckTest() {
        super(Rings.POSIX, SendSubscribers.Mode.RELIABLE);
    }
}
