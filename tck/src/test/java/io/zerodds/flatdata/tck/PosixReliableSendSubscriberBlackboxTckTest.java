package io.zerodds.flatdata.tck;

/** TCK subscriber rules (blackbox) for the reliable send subscriber over the POSIX shared-memory backend. */
public class PosixReliableSendSubscriberBlackboxTckTest extends SendSubscriberBlackboxVerification {
    public PosixReliableSendSubscriberBlackboxTckTest() {
        super(Rings.POSIX, SendSubscribers.Mode.RELIABLE);
    }
}
