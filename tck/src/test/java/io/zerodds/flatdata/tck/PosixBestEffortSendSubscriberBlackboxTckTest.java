package io.zerodds.flatdata.tck;

/** TCK subscriber rules (blackbox) for the best-effort send subscriber over the POSIX shared-memory backend. */
public class PosixBestEffortSendSubscriberBlackboxTckTest extends SendSubscriberBlackboxVerification {
    public PosixBestEffortSendSubscriberBlackboxTckTest() {
        super(Rings.POSIX, SendSubscribers.Mode.BEST_EFFORT);
    }
}
